import HTTPTypes
import Hummingbird
import TermAuthCore

/// RFC 8628: `POST /device_authorization` parks a device's request and answers the codes;
/// `GET /device` is the verification URI, a page telling the person where to type the code
/// (TermAuth's approval happens in the terminal: `termauth device`).
struct DeviceRoutes: Sendable {
    let termAuth: TermAuth
    let issuer: IssuerURL
    let sshCommand: String?

    func register(on router: Router<TermAuthRequestContext>) {
        router.post("device_authorization") { request, context in
            let form = try await ClientForm.read(request, context)
            let client = try await termAuth.tokens.authenticate(form.credentials)
            let parked = try await termAuth.flow.parkDevice(client: client, scope: form.parameters["scope"], origin: context.peer)
            let verification = issuer.value + "/device"
            return JSONBody.response(
                headers: .noStore,
                DeviceAuthorizationBody(
                    device_code: parked.handle, user_code: parked.approvalCode, verification_uri: verification,
                    verification_uri_complete: verification + "?user_code=" + parked.approvalCode,
                    expires_in: parked.request.expiresAt - parked.request.createdAt, interval: parked.request.pollInterval))
        }
        router.get("device") { request, _ in
            let typed = (try? FormParser.parse(Substring(request.uri.query ?? "")))?.first { $0.0 == "user_code" }?.1
            let code = typed.flatMap(ApprovalCode.normalize)
            let ssh = sshCommand.map {
                "<p>From any terminal with SSH:</p><p><code>\(HTMLPage.escape($0))\(code.map { " " + $0 } ?? "")</code></p><p>or in a terminal of this server:</p>"
            }
            let body = """
                <p>To let a device use your account, approve its code\(sshCommand == nil ? " in a terminal of this server" : ""):</p>
                \(ssh ?? "")<p><code>termauth device\(code.map { " " + $0 } ?? "")</code></p>
                \(code.map { "<p>The device shows the code</p><p class=\"code\">\($0)</p>" } ?? "")
                <p>Only continue if you started this on a device you own.</p>
                """
            return HTMLPage.response(title: "Approve a device", body: body)
        }
    }
}

struct DeviceAuthorizationBody: Encodable {
    let device_code: String
    let user_code: String
    let verification_uri: String
    let verification_uri_complete: String
    let expires_in: Int64
    let interval: Int64
}
