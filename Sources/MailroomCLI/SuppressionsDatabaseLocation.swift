import Foundation
import MailroomSQLite

/// Where the local suppression mirror is: a flag, else `MAILROOM_SUPPRESSIONS_DB`, else (for the
/// commands that always use it) `.mailroom/suppressions.sqlite`.
enum SuppressionsDatabaseLocation {
    /// The path given by `flag` or the environment, or `nil` when neither names one.
    static func configured(_ flag: String?, _ environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        if let flag, !flag.isEmpty { return flag }
        if let path = environment["MAILROOM_SUPPRESSIONS_DB"], !path.isEmpty { return path }
        return nil
    }

    /// The configured path, else the default file.
    static func resolved(_ flag: String?, _ environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        configured(flag, environment) ?? SQLiteSuppressionStore.defaultPath
    }
}
