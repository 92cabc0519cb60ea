// swift-tools-version:6.0
import PackageDescription

let package = Package(
  name: "Tuna",
  products: [
    .library(name: "TunaSearch", targets: ["TunaSearch"]),
    .library(name: "TunaLua", targets: ["TunaLua"]),
    .executable(name: "tuna", targets: ["tuna"]),
    .executable(name: "tuna-bench", targets: ["tuna-bench"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
  ],
  targets: [
    // MARK: - C: Lua 5.4 from the system, and the shim that keeps longjmp in C

    /// Debian's liblua5.4-dev, found through pkg-config.
    .systemLibrary(
      name: "CLua",
      path: "Sources/CLua",
      pkgConfig: "lua5.4",
      providers: [.apt(["liblua5.4-dev"])]
    ),
    /// Macro wrappers, the error trampoline, the count hook, the capped allocator.
    .target(name: "CLuaShim", dependencies: ["CLua"], path: "Sources/CLuaShim"),

    // MARK: - Swift libraries

    /// Studies, trials, distributions, samplers, pruners, storage. Imports no Lua.
    .target(name: "TunaSearch"),
    /// A safe Swift wrapper over one Lua state. Knows nothing about tuning.
    .target(name: "LuaVM", dependencies: ["CLua", "CLuaShim"]),
    /// The `tuna` Lua module: binds TunaSearch into a Lua state.
    .target(name: "TunaLua", dependencies: ["TunaSearch", "LuaVM"]),

    // MARK: - Executables

    .executableTarget(
      name: "tuna",
      dependencies: [
        "TunaLua", "TunaSearch",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]
    ),
    .executableTarget(name: "tuna-bench", dependencies: ["TunaLua", "TunaSearch", "LuaVM"]),

    // MARK: - Tests

    /// Conformance checkers shared by the test targets (`checkSampler`, …).
    .target(name: "TunaTestSupport", dependencies: ["TunaSearch"], path: "Tests/TunaTestSupport"),
    .testTarget(name: "TunaSearchTests", dependencies: ["TunaSearch", "TunaTestSupport"]),
    .testTarget(name: "LuaVMTests", dependencies: ["LuaVM"]),
    .testTarget(name: "TunaLuaTests", dependencies: ["TunaLua", "TunaSearch", "LuaVM", "TunaTestSupport"]),
    .testTarget(name: "TunaCLITests", dependencies: ["tuna"], exclude: ["Fixtures"]),
  ]
)
