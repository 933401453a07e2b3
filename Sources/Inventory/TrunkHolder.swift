import SQLKit

/// Something of another module's that refers to trunks, asked to let go of one before it is deleted.
///
/// Modules above Inventory hold trunks (a port order brings its numbers to one); Inventory cannot call them, so
/// the caller of ``TrunkDirectory/delete(_:releasing:by:)`` hands them in, and each works on its own tables in the
/// deletion's transaction.
public protocol TrunkHolder: Sendable {
    /// Lets go of `trunk`, or throws (a `conflict`, say) while it still needs it; runs in the caller's transaction.
    func release(trunk: String, in database: any SQLDatabase) async throws
}
