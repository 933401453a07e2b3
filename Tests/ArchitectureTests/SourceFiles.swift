import Foundation

/// The package's Swift sources, read once for the architecture tests.
enum SourceFiles {
    /// One source file: its path from the package root, its module (the directory under `Sources/`), its text.
    struct File {
        var path: String
        var module: String
        var text: String
    }

    /// The package's root, from this file's place in it.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// Every Swift file under `Sources/`, read once for all the tests (an unreadable file fails the first).
    static func all() throws -> [File] {
        try loaded.get()
    }

    private static let loaded = Result { try load() }

    private static func load() throws -> [File] {
        let sources = root.appendingPathComponent("Sources")
        guard let enumerator = FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil) else {
            return []
        }
        return try enumerator.compactMap { $0 as? URL }.filter { $0.pathExtension == "swift" }.map { url in
            let path = String(url.path.dropFirst(root.path.count + 1))
            let module = path.split(separator: "/")[1]
            return File(path: path, module: String(module), text: try String(contentsOf: url, encoding: .utf8))
        }.sorted { $0.path < $1.path }
    }
}
