import ArgumentParser

/// `--archive-url` and `--archive-schema`: a PostgreSQL archive, for the archive verbs and the
/// sends that record into it.
struct ArchiveDatabaseOptions: ParsableArguments {
    @Option(name: .customLong("archive-url"), help: "The PostgreSQL archive, postgres://user:password@host:port/db (default: MAILROOM_ARCHIVE_URL).")
    var url: String?

    @Option(name: .customLong("archive-schema"), help: "The PostgreSQL archive's schema (default: MAILROOM_ARCHIVE_SCHEMA, else mailroom).")
    var schema: String?
}
