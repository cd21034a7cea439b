extension Settings {
    /// The SSH front end of `termauth serve` (`[ssh]`): off unless a port is set.
    public struct SSH: Sendable, Equatable {
        /// 0 picks a free port; nil leaves SSH off.
        public var port: Int?
        /// The server's ed25519 host key; by default beside the SQLite database, or beside the
        /// approval key file with PostgreSQL.
        public var hostKeyFile: String?
        /// "HOST:PORT" people reach the SSH server by, for the command the web pages show.
        public var publicAddress: String?
        public var maxSessions = 64
        public var maxSessionsPerSource = 8
        /// Authentication requests one connection may make before it is closed.
        public var maxAuthAttempts = 6
        /// A session that receives nothing for this long is closed.
        public var idleTimeoutSeconds = 300
        public var maxSessionSeconds = 3600
        public init() {}

        /// The command a person types to reach the screens: `ssh -p PORT HOST`.
        public func command(listeningHost: String, port: Int) -> String {
            var host = listeningHost
            var shownPort = port
            if let publicAddress {
                if let colon = publicAddress.lastIndex(of: ":"), let p = Int(publicAddress[publicAddress.index(after: colon)...]) {
                    host = String(publicAddress[..<colon])
                    shownPort = p
                } else {
                    host = publicAddress
                }
            }
            host = host.trimmingCharacters(in: ["[", "]"])
            return shownPort == 22 ? "ssh \(host)" : "ssh -p \(shownPort) \(host)"
        }
    }
}
