import Foundation
import Testing

/// The targets `Package.swift` declares, read from its text: each target's name, where its sources are, and the
/// modules it depends on (ours by name, other packages' by product name, which is their module's name).
struct DeclaredTarget {
    var name: String
    var directory: String
    var dependencies: Set<String>

    /// The targets in a manifest's text, in order.
    static func parse(_ manifest: String) -> [DeclaredTarget] {
        let blocks = manifest.components(separatedBy: "\n        .").dropFirst()
        return blocks.compactMap { block in
            guard let kind = block.prefix(while: { $0 != "(" }).nilIfEmpty,
                ["target", "executableTarget", "testTarget"].contains(kind),
                let name = firstCapture(#"name: "([A-Za-z0-9_]+)""#, in: block)
            else { return nil }
            let directory = firstCapture(#"path: "([^"]+)""#, in: block) ?? (kind == "testTarget" ? "Tests/\(name)" : "Sources/\(name)")
            var dependencies: Set<String> = []
            if let list = block.range(of: "dependencies: [").map({ block[$0.upperBound...] }) {
                let declared = list.prefix { $0 != "]" }
                for match in declared.matches(of: try! Regex(#"(?:\.product\(name: )?"([A-Za-z0-9_]+)""#)) {
                    if let module = match.output[1].substring { dependencies.insert(String(module)) }
                }
            }
            return DeclaredTarget(name: name, directory: directory, dependencies: dependencies)
        }
    }

    private static func firstCapture(_ pattern: String, in text: String) -> String? {
        (try? Regex(pattern)).flatMap { text.firstMatch(of: $0)?.output[1].substring }.map(String.init)
    }
}

private extension Substring {
    var nilIfEmpty: String? { isEmpty ? nil : String(self) }
}

@Suite("Package.swift says what the sources import, and its layers point down")
struct DependencyTests {
    /// Modules of the toolchain, importable without a declaration.
    static let toolchain: Set<String> = [
        "Foundation", "FoundationEssentials", "Dispatch", "Synchronization", "Testing", "XCTest", "Glibc", "Darwin",
        "Musl", "RegexBuilder",
    ]

    /// Our modules, bottom up: a module depends only on modules in layers below its own. The pure cores first,
    /// then the kernel, the owners of the tables, the routing feed over them, the edges, and the executable.
    static let layers: [[String]] = [
        ["Telephony", "Timekeeping", "SIP", "TransportSecurity"],
        ["Routing", "Identity", "Store", "Observability"],
        ["Guard", "Rating", "Platform"],
        ["Accounts", "CallRecords"],
        ["NetworkData", "Emergency"],
        ["Inventory", "Webhooks"],
        ["Porting"],
        ["RoutingFeed"],
        ["Schema", "SIPServer", "API", "Demo"],
        ["tandem"],
    ]

    static func targets() throws -> [DeclaredTarget] {
        DeclaredTarget.parse(try String(contentsOf: SourceFiles.root.appendingPathComponent("Package.swift"), encoding: .utf8))
    }

    /// The modules a target's Swift files import.
    static func imports(of target: DeclaredTarget) throws -> [String: String] {
        let directory = SourceFiles.root.appendingPathComponent(target.directory)
        guard let files = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: nil) else { return [:] }
        let statement = try Regex(#"^(?:@testable |@_spi\([A-Za-z]+\) )?import (?:struct |enum |class |func |protocol )?([A-Za-z0-9_]+)"#)
            .anchorsMatchLineEndings()
        var found: [String: String] = [:]
        for case let url as URL in files where url.pathExtension == "swift" {
            let text = try String(contentsOf: url, encoding: .utf8)
            for match in text.matches(of: statement) {
                if let module = match.output[1].substring { found[String(module)] = url.lastPathComponent }
            }
        }
        return found
    }

    @Test("every module a target imports is declared as its dependency")
    func importsAreDeclared() throws {
        let targets = try Self.targets()
        #expect(targets.count > 30, "the manifest's targets were found")
        var undeclared: [String] = []
        for target in targets {
            for (module, file) in try Self.imports(of: target).sorted(by: { $0.key < $1.key })
            where module != target.name && !target.dependencies.contains(module) && !Self.toolchain.contains(module) {
                undeclared.append("\(target.name) imports \(module) (\(file)) without declaring it")
            }
        }
        #expect(undeclared.isEmpty, "declare these in Package.swift:\n\(undeclared.joined(separator: "\n"))")
    }

    @Test("every module of ours a library target declares, it imports")
    func declaredModulesAreUsed() throws {
        let ours = Set(Self.layers.joined())
        var unused: [String] = []
        for target in try Self.targets() where ours.contains(target.name) {
            let imported = Set(try Self.imports(of: target).keys)
            for module in target.dependencies.intersection(ours).subtracting(imported).sorted() {
                unused.append("\(target.name) declares \(module) but imports it nowhere")
            }
        }
        #expect(unused.isEmpty, "\(unused.joined(separator: "\n"))")
    }

    @Test("each module depends only on the layers below its own, and every module has a layer")
    func layersPointDown() throws {
        var layer: [String: Int] = [:]
        for (index, modules) in Self.layers.enumerated() {
            for module in modules { layer[module] = index }
        }
        let targets = try Self.targets().filter { !$0.directory.hasPrefix("Tests/") }
        #expect(Set(targets.map(\.name)) == Set(layer.keys), "the layers list every module of Sources/, and no other")
        var upward: [String] = []
        for target in targets {
            guard let own = layer[target.name] else { continue }
            for dependency in target.dependencies.sorted() {
                if let below = layer[dependency], below >= own {
                    upward.append("\(target.name) (layer \(own)) depends on \(dependency) (layer \(below))")
                }
            }
        }
        #expect(upward.isEmpty, "\(upward.joined(separator: "\n"))")
    }

    @Test("the manifest reader sees names, paths and both kinds of dependency")
    func readerAndChecks() {
        let manifest = """
            let package = Package(
                targets: [
                    .target(
                        name: "Routing",
                        dependencies: [
                            "Telephony",
                            .product(name: "Atomics", package: "swift-atomics"),
                        ],
                        swiftSettings: swiftSettings
                    ),
                    .target(
                        name: "TestSupport",
                        dependencies: ["Store"],
                        path: "Tests/TestSupport"
                    ),
                    .testTarget(
                        name: "RoutingTests",
                        swiftSettings: swiftSettings
                    ),
                ]
            )
            """
        let targets = DeclaredTarget.parse(manifest)
        #expect(targets.map(\.name) == ["Routing", "TestSupport", "RoutingTests"])
        #expect(targets.map(\.directory) == ["Sources/Routing", "Tests/TestSupport", "Tests/RoutingTests"])
        #expect(targets.first?.dependencies == ["Telephony", "Atomics"])
        #expect(targets.last?.dependencies == [])
    }
}
