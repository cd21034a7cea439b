import Testing
@testable import TermAuthCore
import TermAuthTestSupport

/// Wrong approval codes count in the store, per source and per user, wherever they are typed:
/// the limit holds across processes and however busy the audit log is.
@Suite struct WrongCodeLimitTests {
    @Test(arguments: TestStore.all) func wrongCodesLockTheSourceThenTheWindowFreesIt(_ store: TestStore) async throws {
        let f = try await Fixture(store)
        _ = try await f.seeded()
        let flow = f.termAuth.flow
        let parked = try await flow.park(try await flow.validator.validate(f.authorizeQuery()), origin: "test")
        for _ in 0..<5 {
            await #expect(throws: TermAuthError.unknownRequest) { try await flow.pending(approvalCode: "BBBB-BBBB", source: "cli:eve") }
        }
        // Even the right code is refused now, and the audit log's size has nothing to do with it.
        for i in 0..<600 { try await f.termAuth.store.appendAudit(AuditEvent(at: f.clock.now(), kind: .tokenIssued, detail: "noise \(i)")) }
        await #expect(throws: TermAuthError.tooManyWrongCodes(retryAfter: 60)) {
            try await flow.pending(approvalCode: parked.approvalCode, source: "cli:eve")
        }
        // Another source is not held back.
        _ = try await flow.pending(approvalCode: parked.approvalCode, source: "cli:alice")
        f.clock.advance(61)
        _ = try await flow.pending(approvalCode: parked.approvalCode, source: "cli:eve")
    }

    @Test(arguments: TestStore.all) func wrongCodesCountPerUserAcrossSources(_ store: TestStore) async throws {
        let f = try await Fixture(store)
        _ = try await f.seeded()
        let flow = f.termAuth.flow
        for i in 0..<5 { _ = try? await flow.pending(approvalCode: "BBBB-BBBB", source: "10.0.0.\(i)", username: "alice") }
        await #expect(throws: TermAuthError.self) { try await flow.pending(approvalCode: "CCCC-CCCC", source: "10.0.0.9", username: "alice") }
        let audit = try await f.termAuth.store.recentAudit(limit: 50)
        #expect(audit.contains { $0.kind == .wrongCodesLimited && $0.username == "alice" })
    }

    @Test(arguments: TestStore.all) func rightCodesDoNotUseUpTheAllowance(_ store: TestStore) async throws {
        let f = try await Fixture(store)
        _ = try await f.seeded()
        let flow = f.termAuth.flow
        let parked = try await flow.park(try await flow.validator.validate(f.authorizeQuery()), origin: "test")
        for _ in 0..<20 {
            #expect(try await flow.pending(approvalCode: parked.approvalCode, source: "cli:alice").request.id == parked.request.id)
        }
        // Each right code gave its claim back: nothing is left counted against the source.
        #expect(try await f.termAuth.store.attemptCounter(key: AttemptKey.codeSource("cli:alice")) == nil)
    }

    @Test func ipv6SourcesCountByTheirSlash64() {
        #expect(AttemptKey.network("2001:db8:1:2:aaaa::1") == "2001:db8:1:2::/64")
        #expect(AttemptKey.network("2001:db8:1:2:bbbb:cccc:dddd:eeee") == "2001:db8:1:2::/64")
        #expect(AttemptKey.network("192.0.2.1") == "192.0.2.1")
        // One account's terminal and command line are one source.
        #expect(AttemptKey.network("terminal:root") == "local:root" && AttemptKey.network("cli:root") == "local:root")
    }
}
