import Testing
@testable import TermAuthCore

@Suite struct SettingsTests {
    @Test func readsEverySection() throws {
        let s = try SettingsFile.parse(
            """
            issuer = "https://auth.example"
            [server]
            host = "0.0.0.0"
            port = 9000
            [lifetimes]
            authorization_code = 300
            access_token = 600
            [security]
            password_hash_rounds = 300000
            max_failed_logins = 3
            [resource]
            scope = "api"
            [storage]
            durability = "full"
            approval_key_file = "/etc/termauth/approval.key"
            postgres_connections = 40
            [[scopes]]
            name = "api"
            description = "Use the API"
            translations = { zh = "使用接口" }
            [[clients]]
            id = "web"
            name = "Web"
            redirect_uris = ["https://w.example/cb"]
            grants = ["authorization_code"]
            id_token_alg = "ES256"
            access_token_format = "jwt"
            resources = ["https://api.example"]
            [tokens]
            audience = "https://api.example"
            access_token_algorithm = "RS256"
            """, source: "t.toml")
        #expect(s.clients.first?.idTokenAlgorithm == .es256 && s.clients.first?.accessTokenFormat == .jwt)
        #expect(s.clients.first?.resources == ["https://api.example"])
        #expect(s.tokens.audience(issuer: "x") == "https://api.example" && s.tokens.accessTokenAlgorithm == .rs256)
        #expect(s.issuer == "https://auth.example")
        #expect(s.host == "0.0.0.0" && s.port == 9000)
        #expect(s.lifetimes.authorizationCode == 300 && s.lifetimes.accessToken == 600)
        #expect(s.security.passwordHashRounds == 300_000 && s.security.maxFailedLogins == 3)
        #expect(s.resourceScope == "api")
        #expect(s.durability == .full && s.approvalKeyFile == "/etc/termauth/approval.key" && s.postgresConnections == 40)
        #expect(s.scopes.first?.description(for: "zh_CN") == "使用接口")
        #expect(s.clients.first?.grantTypes == [.authorizationCode])
    }

    @Test(arguments: [
        ("[server]\nport = \"eighty\"", "t.toml: server.port: expected an integer"),
        ("[lifetimes]\nauthorization_code = 3600", "t.toml: lifetimes.authorization_code: expected an integer from 1 to 600, got 3600"),
        ("colour = 1", "t.toml: unknown key \"colour\""),
        ("[security]\npassword_hash_rounds = 10", "t.toml: security.password_hash_rounds: expected an integer from 1000"),
        ("[[clients]]\nid = \"x\"", "t.toml: clients[0].name is required"),
        ("issuer = ", "t.toml:1:"),
    ])
    func brokenFilesNameTheKey(_ text: String, _ expected: String) {
        do {
            _ = try SettingsFile.parse(text, source: "t.toml")
            Issue.record("accepted \(text)")
        } catch {
            #expect(error.description.hasPrefix(expected), "\(error.description)")
        }
    }

    @Test func scopeDescriptionFallsBackByLanguage() {
        let scope = Scope(name: "email", description: "Read your email", translations: ["zh": "读取你的邮箱", "de-CH": "E-Mail lesen"])
        #expect(scope.description(for: "zh-Hans") == "读取你的邮箱")
        #expect(scope.description(for: "de_CH") == "E-Mail lesen")
        #expect(scope.description(for: "fr") == "Read your email")
        #expect(scope.description(for: nil) == "Read your email")
    }

    @Test func approvalCodesNormalize() {
        #expect(ApprovalCode.normalize("bdwp-hqpk") == "BDWP-HQPK")
        #expect(ApprovalCode.normalize("BDWPHQPK") == "BDWP-HQPK")
        #expect(ApprovalCode.normalize("BDWP-HQPA") == nil) // vowel
        #expect(ApprovalCode.normalize("BDWP-HQP") == nil)
        #expect(ApprovalCode.generate().count == 9)
    }

    @Test func sanitizingStripsControlAndInvisibleCharacters() {
        #expect(Sanitized.line("Evil\u{1B}[2JApp\r\n\u{202E}x\u{200B}y\u{9B}") == "Evil[2JAppxy")
        #expect(Sanitized.line("授权 ok") == "授权 ok")
    }

    @Test func hardeningSettingsAreRead() throws {
        let s = try SettingsFile.parse(
            """
            issuer = "HTTPS://Auth.Example/tenant/"
            [server]
            tls_cert = "/etc/termauth/cert.pem"
            tls_key = "/etc/termauth/key.pem"
            [security]
            max_failed_logins_per_source = 50
            max_wrong_codes = 3
            password_hash_threads = 2
            password_hash_queue = 8
            failed_sign_in_ms = 500
            [limits]
            parked_per_client = 10
            parked_per_source = 20
            parked_total = 30
            long_polls = 40
            long_polls_per_source = 5
            [audit]
            retain_days = 7
            [[clients]]
            id = "rs"
            name = "API"
            grants = ["client_credentials"]
            introspect = true
            """, source: "t.toml")
        #expect(s.issuer == "https://auth.example/tenant")
        #expect(s.tlsCertificateFile == "/etc/termauth/cert.pem" && s.tlsKeyFile == "/etc/termauth/key.pem")
        #expect(s.security.maxFailedLoginsPerSource == 50 && s.security.maxWrongCodes == 3)
        #expect(s.security.passwordHashThreads == 2 && s.security.passwordHashQueue == 8 && s.security.failedSignInMilliseconds == 500)
        #expect(
            s.limits
                == {
                    var l = Settings.Limits()
                    (l.parkedPerClient, l.parkedPerSource, l.parkedTotal, l.longPolls, l.longPollsPerSource) = (10, 20, 30, 40, 5)
                    return l
                }())
        #expect(s.auditRetainDays == 7 && s.clients.first?.mayIntrospect == true)
    }

    @Test(arguments: [
        ("issuer = \"https://a.example?x=1\"", "issuer must be an http or https URL"),
        ("issuer = \"ftp://a.example\"", "issuer must be an http or https URL"),
        ("[server]\ntls_cert = \"c.pem\"", "server.tls_cert and server.tls_key go together"),
        ("[limits]\nparked_total = 0", "limits.parked_total: expected an integer from 1"),
    ])
    func badHardeningSettingsNameTheProblem(text: String, message: String) {
        #expect {
            _ = try SettingsFile.parse(text, source: "t.toml")
        } throws: { error in
            (error as? TermAuthError)?.description.contains(message) == true
        }
    }
}
