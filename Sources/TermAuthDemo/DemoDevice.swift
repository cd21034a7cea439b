import Foundation

/// The demo's input-constrained device (RFC 8628): it asks for codes, shows the user code, and
/// polls the token endpoint until a person has decided.
struct DemoDevice: Sendable {
    let stage: DemoStage

    func requestCodes(scope: String) async throws -> DemoExchange {
        try await stage.http.post(
            stage.server.appendingPathComponent("device_authorization"),
            form: [("client_id", DemoStage.deviceClientID), ("scope", scope)])
    }

    func poll(deviceCode: String) async throws -> DemoExchange {
        try await stage.http.post(
            stage.server.appendingPathComponent("token"),
            form: [
                ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"), ("device_code", deviceCode),
                ("client_id", DemoStage.deviceClientID),
            ])
    }
}
