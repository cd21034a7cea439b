import Testing
@testable import TermAuthCore
import TermAuthTestSupport

/// Clients in the settings file are the source of truth: a client in the database that
/// differs is brought in line, and what cannot be settled is reported, never ignored.
@Suite struct DeclarationsTests {
    @Test(arguments: TestStore.all) func aChangedDeclarationUpdatesTheClient(_ store: TestStore) async throws {
        var settings = Settings()
        settings.scopes = [Scope(name: "profile", description: "Profile")]
        settings.clients = [ClientRegistration(id: "web", name: "Web", redirectURIs: ["https://web.example/cb"], scopes: ["profile"])]
        let first = try await Fixture(store, settings: settings)
        let created = try await first.termAuth.admin.applyDeclarations()
        #expect(created.created.map(\.clientID) == ["web"] && created.updated.isEmpty)
        #expect(try await first.termAuth.admin.applyDeclarations().updated.isEmpty)

        let (_, secret) = try await first.termAuth.admin.addClient(.init(id: "tmp", name: "Tmp", redirectURIs: ["https://t.example/cb"]))
        _ = secret
        settings.clients = [
            ClientRegistration(id: "web", name: "Web app", redirectURIs: ["https://web.example/new"], scopes: ["profile"], mayIntrospect: true),
            ClientRegistration(id: "tmp", name: "Tmp", isPublic: true, redirectURIs: ["https://t.example/cb"]),
        ]
        let again = TermAuth(store: first.termAuth.store, settings: settings, approvalKey: .init(count: 32), clock: first.clock)
        let report = try await again.admin.applyDeclarations()
        #expect(report.updated.first?.clientID == "web")
        #expect(report.updated.first?.changes == ["name", "redirect_uris", "introspect"])
        #expect(report.conflicts.count == 1 && report.conflicts[0].contains("tmp"))
        let web = try #require(try await again.store.freshClient(id: "web"))
        #expect(web.name == "Web app" && web.redirectURIs == ["https://web.example/new"] && web.mayIntrospect)
        #expect(web.secret != nil)
        #expect(try await again.store.freshClient(id: "tmp")?.isPublic == false)
    }
}
