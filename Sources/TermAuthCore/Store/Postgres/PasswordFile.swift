import Foundation

/// libpq's password file (`~/.pgpass`): lines of `host:port:database:username:password`, `*`
/// matching anything, `\:` and `\\` escaped, the first matching line winning. Like libpq, a
/// file that others may read is not used: ignored when it is the default one, refused when
/// the URL names it.
enum PasswordFile {
    static func lookup(_ path: String, host: String, port: Int, database: String, username: String, named: Bool) throws(TermAuthError) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            if named { throw .configuration("PostgreSQL URL: passfile \(path) cannot be read") }
            return nil
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & 0o077 == 0 else {
            if named { throw .configuration("\(path): the PostgreSQL password file can be read by other users; fix it with: chmod 600 \(path)") }
            return nil
        }
        let data = FileHandle(fileDescriptor: fd, closeOnDealloc: false).readDataToEndOfFile()
        let wanted = [host, String(port), database, username]
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") where !line.hasPrefix("#") {
            let fields = split(String(line))
            guard fields.count == 5 else { continue }
            if zip(fields.prefix(4), wanted).allSatisfy({ $0 == "*" || $0 == $1 }) { return fields[4] }
        }
        return nil
    }

    private static func split(_ line: String) -> [String] {
        var fields: [String] = []
        var current = ""
        var escaped = false
        for character in line {
            if escaped {
                current.append(character)
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == ":" && fields.count < 4 {
                fields.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        fields.append(current)
        return fields
    }
}
