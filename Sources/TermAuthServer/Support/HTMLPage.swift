import HTTPTypes
import Hummingbird

/// Small self-contained pages for people using a browser. Every interpolated string is
/// escaped; the CSP allows no script and no framing (RFC 9700 §4.16, clickjacking).
enum HTMLPage {
    static func escape(_ text: String) -> String {
        var out = ""
        for c in text.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    static func response(status: HTTPResponse.Status = .ok, title: String, body: String, refreshTo: String? = nil) -> Response {
        let refresh = refreshTo.map { "<meta http-equiv=\"refresh\" content=\"2;url=\(escape($0))\">" } ?? ""
        let html = """
            <!doctype html><html lang="en"><head><meta charset="utf-8">\(refresh)
            <meta name="viewport" content="width=device-width, initial-scale=1"><title>\(escape(title))</title>
            <style>body{font-family:system-ui,sans-serif;max-width:38em;margin:3em auto;padding:0 1em;line-height:1.5}
            code,.code{font-family:ui-monospace,monospace}.code{font-size:2.4em;letter-spacing:.12em;font-weight:bold}</style>
            </head><body><h1>\(escape(title))</h1>\(body)</body></html>
            """
        var headers = HTTPFields.noStore
        headers[.contentType] = "text/html;charset=utf-8"
        headers[.contentSecurityPolicy] = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"
        headers[.xFrameOptions] = "DENY"
        headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: html)))
    }
}

extension HTTPField.Name {
    static var xFrameOptions: Self { Self("X-Frame-Options")! }
}
