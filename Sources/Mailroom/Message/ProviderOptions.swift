/// A key for provider-specific options carried by ``SendOptions``, declared by a provider module.
///
/// ```swift
/// // In a provider module:
/// enum MailgunOptionsKey: ProviderOptionKey { static let defaultValue = MailgunOptions() }
/// extension SendOptions {
///     public var mailgun: MailgunOptions {
///         get { providerOptions[MailgunOptionsKey.self] }
///         set { providerOptions[MailgunOptionsKey.self] = newValue }
///     }
/// }
/// ```
public protocol ProviderOptionKey: Sendable {
    /// The options' type.
    associatedtype Value: Sendable & Hashable
    /// The value when none was set.
    static var defaultValue: Value { get }
}

/// Typed storage for options the core does not know, keyed by ``ProviderOptionKey`` types.
///
/// This is the extension point through which a provider module adds its own send options without
/// the core knowing them, and without stringly-typed dictionaries.
public struct ProviderOptions: Sendable, Hashable {
    private struct Entry: Sendable {
        let value: any Sendable
        let hash: Int
        let isEqual: @Sendable (any Sendable) -> Bool
    }

    private var entries: [ObjectIdentifier: Entry] = [:]

    /// Creates empty storage.
    public init() {}

    /// Whether no provider option is stored: a provider's send path can take its defaults without
    /// a generic look-up or a copy (most messages set none, and every send reads them).
    public var isEmpty: Bool { entries.isEmpty }

    /// The options stored under `key`, or the key's default.
    public subscript<Key: ProviderOptionKey>(key: Key.Type) -> Key.Value {
        // Most messages set no provider option: no hashing for them.
        get { isEmpty ? Key.defaultValue : entries[ObjectIdentifier(key)]?.value as? Key.Value ?? Key.defaultValue }
        set {
            entries[ObjectIdentifier(key)] = Entry(
                value: newValue,
                hash: newValue.hashValue,
                isEqual: { ($0 as? Key.Value) == newValue }
            )
        }
    }

    /// Whether anything was stored under `key`.
    public func contains<Key: ProviderOptionKey>(_ key: Key.Type) -> Bool {
        entries[ObjectIdentifier(key)] != nil
    }

    /// Two storages are equal when they hold equal values under the same keys.
    public static func == (lhs: ProviderOptions, rhs: ProviderOptions) -> Bool {
        lhs.entries.count == rhs.entries.count && lhs.entries.allSatisfy { key, entry in
            rhs.entries[key].map { entry.isEqual($0.value) } ?? false
        }
    }

    /// Hashes the stored values, independent of insertion order.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(entries.count)
        hasher.combine(entries.values.reduce(0) { $0 ^ $1.hash })
    }
}
