import Foundation
import TermAuthConsole
import TermAuthCore

/// RFC 8628: a device without a keyboard gets a user code, the person approves it on the
/// device screen, and the device's polling turns into a token.
struct DeviceFlowScene {
    let stage: DemoStage
    let scope = "profile photos"
    let title = "Device Authorization grant (RFC 8628)"

    static let steps = [
        DemoScreen.Step(1, "Ask for a device code", "device → authorization server"),
        DemoScreen.Step(2, "Show the user code", "authorization server → device"),
        DemoScreen.Step(3, "Poll for a token", "device → authorization server"),
        DemoScreen.Step(4, "Approve on the device screen", "resource owner → authorization server"),
        DemoScreen.Step(5, "Issue access token", "authorization server → device"),
        DemoScreen.Step(6, "Request resource with token", "device → resource server"),
    ]

    func play(_ show: DemoShow) async throws -> SceneOutcome {
        let device = DemoDevice(stage: stage)
        try show.scene(title, steps: Self.steps)

        try show.begin(1)
        let codes = try await device.requestCodes(scope: scope)
        show.show(codes.requestLines)
        let fields = codes.json
        guard codes.status == 200, let deviceCode = fields["device_code"], let userCode = fields["user_code"] else {
            show.show(codes.responseLines)
            show.set(1, .failed)
            return SceneOutcome(title, succeeded: false, "device authorization answered \(codes.status)")
        }
        show.set(1, .done)

        try show.begin(2)
        show.show(codes.responseLines)
        show.note("Demo TV shows: go to \(fields["verification_uri"] ?? "the server") or run")
        show.note("`termauth device` and enter \(userCode)")
        show.set(2, .done)

        try show.begin(3)
        let interval = max(1, Int(fields["interval"] ?? "") ?? 5)
        async let polling = Self.pollUntilDecided(device, deviceCode: deviceCode, interval: interval)
        show.note("The device polls every \(interval) s; until someone decides it hears")
        show.note("authorization_pending.")
        show.set(3, .done)

        try show.begin(4)
        try show.pause()
        if let autopilot = show.autopilot {
            autopilot.type(userCode)
            autopilot.type([.enter, .left, .enter])
            autopilot.type(DemoStage.username)
            autopilot.type([.tab])
            autopilot.type(stage.password)
            autopilot.type([.enter, .character("a")])
        }
        let decision = try await DeviceSession(
            termAuth: stage.termAuth, runner: show.runner,
            codeNotice: "Demo TV shows: \(userCode)", loginNotice: stage.loginNotice
        ).run(code: nil)
        show.autopilot?.clear()
        show.paint()
        switch decision {
        case .quit: throw DemoQuit()
        case .denied: show.set(4, .failed)
        case .approved(let granted):
            show.note("Approved for the device: \(granted.string)")
            show.set(4, .done)
        }

        try show.begin(5)
        let polls = try await polling
        let pendingCount = polls.dropLast().count
        show.note("\(pendingCount) poll\(pendingCount == 1 ? "" : "s") answered authorization_pending while the person decided.")
        guard let last = polls.last else { return SceneOutcome(title, succeeded: false, "the device never heard back") }
        show.show(last.requestLines.prefix(2) + last.responseLines)
        guard last.status == 200, let access = last.json["access_token"] else {
            show.set(5, .failed)
            show.set(6, .skipped(last.json["error"] ?? "no token"))
            return SceneOutcome(title, succeeded: false, "the device was told \(last.json["error"] ?? "\(last.status)")")
        }
        show.set(5, .done)

        try show.begin(6)
        let resource = try await DemoApplication(stage: stage).resource(access)
        show.show(resource.requestLines + resource.responseLines)
        show.set(6, resource.status == 200 ? .done : .failed)
        return SceneOutcome(
            title, succeeded: resource.status == 200,
            "approved after \(pendingCount) pending polls; resource \(resource.status)")
    }

    /// Every poll until one is not `authorization_pending` (slowing down when told to).
    private static func pollUntilDecided(_ device: DemoDevice, deviceCode: String, interval: Int) async throws -> [DemoExchange] {
        var polls: [DemoExchange] = []
        var wait = interval
        while true {
            let poll = try await device.poll(deviceCode: deviceCode)
            polls.append(poll)
            switch poll.json["error"] {
            case "authorization_pending"?: break
            case "slow_down"?: wait += 5
            default: return polls
            }
            try await Task.sleep(for: .seconds(wait))
        }
    }
}
