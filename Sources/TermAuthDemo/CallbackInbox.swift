/// What reached the demo application's redirect URI, in arrival order.
actor CallbackInbox {
    private var answers: [[String: String]] = []

    func deliver(_ query: [String: String]) { answers.append(query) }

    /// The oldest answer not yet taken.
    func take() -> [String: String]? { answers.isEmpty ? nil : answers.removeFirst() }
}
