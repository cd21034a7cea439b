import Testing
@testable import TermAuthCore

@Suite struct RedirectURITests {
    let registered = ["https://app.example/cb", "http://127.0.0.1/callback", "http://[::1]/cb", "com.example.app:/oauth"]

    @Test(arguments: [
        "https://app.example/cb",
        "http://127.0.0.1/callback",
        "http://127.0.0.1:54321/callback",
        "http://[::1]:8080/cb",
        "com.example.app:/oauth",
    ])
    func matches(_ uri: String) {
        #expect(RedirectURI.matches(uri, registered: registered))
    }

    @Test(arguments: [
        "https://app.example/cb/", // different path
        "https://app.example/CB", // path case
        "https://APP.example/cb", // host case: exact means exact
        "https://app.example:443/cb", // explicit port on a non-loopback URI
        "https://app.example/cb?x=1", // extra query
        "https://app.example/cb#f", // fragment
        "https://app.example.evil/cb", // suffix host
        "https://evil/cb?https://app.example/cb",
        "http://app.example/cb", // scheme downgrade
        "http://127.0.0.1:54321/callback/x", // loopback, different path
        "http://127.0.0.1:/callback", // empty port
        "http://127.0.0.1:99999999/callback",
        "http://127.0.0.1.evil.com/callback",
        "http://127.0.0.1@evil.com/callback",
        "http://localhost:5000/callback", // loopback by name is not the registered literal
        "https://127.0.0.1:5000/callback",
    ])
    func doesNotMatch(_ uri: String) {
        #expect(!RedirectURI.matches(uri, registered: registered))
    }

    @Test(arguments: ["https://a.example/cb", "http://127.0.0.1/cb", "http://[::1]:9/x", "com.example.app:/cb", "http://localhost/cb"])
    func registrationAccepts(_ uri: String) {
        #expect(throws: Never.self) { try RedirectURI.validateForRegistration(uri) }
    }

    @Test(arguments: [
        "/relative", "https://a.example/cb#frag", "http://a.example/cb", "javascript:alert(1)", "myapp:/cb", "https://user:pw@a.example/",
        "https://a.example/c b",
    ])
    func registrationRejects(_ uri: String) {
        #expect(throws: TermAuthError.self) { try RedirectURI.validateForRegistration(uri) }
    }
}
