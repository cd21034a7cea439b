import Foundation
import GRDB

extension SQLiteStore {
    /// The migrations applied to this file, and those this build knows.
    public func schemaVersion() throws -> (applied: [String], known: [String]) {
        let migrator = SQLiteSchema.migrator
        return (try pool.read { try migrator.appliedMigrations($0) }, migrator.migrations)
    }
}
