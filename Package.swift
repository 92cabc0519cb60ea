// swift-tools-version:6.0
import PackageDescription

let package = Package(
  name: "Tuna",
  products: [
    .library(name: "TunaSearch", targets: ["TunaSearch"]),
    .library(name: "TunaTrain", targets: ["TunaTrain"]),
    .library(name: "TunaLua", targets: ["TunaLua"]),
    .library(name: "TunaStore", targets: ["TunaStore"]),
    .library(name: "TunaAnalysis", targets: ["TunaAnalysis"]),
    .library(name: "TunaReport", targets: ["TunaReport"]),
    .library(name: "TunaIsolation", targets: ["TunaIsolation"]),
    .executable(name: "tuna", targets: ["tuna"]),
    .executable(name: "tuna-bench", targets: ["tuna-bench"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
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
    /// OpenBLAS's cblas.h (Debian libopenblas-dev), found through pkg-config.
    .systemLibrary(
      name: "CBLAS",
      path: "Sources/CBLAS",
      pkgConfig: "openblas",
      providers: [.apt(["libopenblas-dev"])]
    ),
    /// Debian's libsqlite3-dev, found through pkg-config.
    .systemLibrary(
      name: "CSQLite",
      path: "Sources/CSQLite",
      pkgConfig: "sqlite3",
      providers: [.apt(["libsqlite3-dev"])]
    ),
    /// Debian's libpq-dev: PostgreSQL's reference C client, found through pkg-config.
    .systemLibrary(
      name: "CPostgres",
      path: "Sources/CPostgres",
      pkgConfig: "libpq",
      providers: [.apt(["libpq-dev"])]
    ),

    // MARK: - Swift libraries

    /// The seeded random generator both libraries use.
    .target(name: "TunaRandom"),
    /// Studies, trials, distributions, samplers, pruners, storage. Imports no Lua.
    .target(name: "TunaSearch", dependencies: ["TunaRandom"]),
    /// Storages beyond memory: `SQLiteStorage` over SQLite's C API, `PostgresStorage` over libpq,
    /// and `openStorage(url)`. Imports no Lua.
    .target(name: "TunaStore", dependencies: ["TunaSearch", "CSQLite", "CPostgres"]),
    /// The training core: matrices over BLAS, neural networks, trees and forests, linear models,
    /// datasets, cross-validation, metrics. Imports neither Lua nor the search core.
    .target(
      name: "TunaTrain",
      dependencies: ["CBLAS", "TunaRandom"],
      resources: [.copy("Resources/datasets")]
    ),
    /// Which parameters mattered and which interacted: PED-ANOVA and functional ANOVA over the
    /// training core's random forest. Imports no Lua.
    .target(name: "TunaAnalysis", dependencies: ["TunaSearch", "TunaTrain"]),
    /// The study report: plots drawn as SVG by the project, one self-contained HTML file rendered
    /// from a Mustache template. Imports no Lua.
    .target(
      name: "TunaReport",
      dependencies: ["TunaSearch", "TunaAnalysis", .product(name: "Mustache", package: "swift-mustache")]
    ),
    /// A safe Swift wrapper over one Lua state. Knows nothing about tuning.
    .target(name: "LuaVM", dependencies: ["CLua", "CLuaShim"]),
    // Trials in worker processes: the supervisor and the channel to it (no Lua).
    .target(name: "CProcess", path: "Sources/CProcess"),
    .target(name: "TunaIsolation", dependencies: ["TunaSearch", "TunaStore", "CProcess"]),
    /// The `tuna` Lua module: binds TunaSearch into a Lua state.
    .target(name: "TunaLua", dependencies: ["TunaSearch", "TunaTrain", "TunaStore", "TunaAnalysis", "TunaReport", "TunaIsolation", "LuaVM"]),

    // MARK: - Executables

    .executableTarget(
      name: "tuna",
      dependencies: [
        "TunaLua", "TunaSearch", "TunaStore", "TunaTrain", "TunaAnalysis", "TunaReport", "TunaIsolation",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]
    ),
    .executableTarget(
      name: "tuna-bench",
      dependencies: [
        "TunaLua", "TunaSearch", "TunaStore", "TunaTrain", "TunaAnalysis", "TunaReport", "LuaVM",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]
    ),

    // MARK: - Tests

    /// Conformance checkers shared by the test targets (`checkSampler`, …).
    .target(name: "TunaTestSupport", dependencies: ["TunaSearch"], path: "Tests/TunaTestSupport"),
    .testTarget(name: "TunaSearchTests", dependencies: ["TunaSearch", "TunaTestSupport"]),
    .testTarget(name: "TunaStoreTests", dependencies: ["TunaStore", "TunaSearch", "TunaTestSupport"]),
    .testTarget(name: "LuaVMTests", dependencies: ["LuaVM"]),
    .testTarget(name: "TunaIsolationTests", dependencies: ["TunaIsolation", "TunaSearch", "TunaStore"]),
    .testTarget(name: "TunaTrainTests", dependencies: ["TunaTrain", "TunaTestSupport"]),
    .testTarget(name: "TunaReportTests", dependencies: ["TunaReport", "TunaSearch", "TunaAnalysis"]),
    .testTarget(name: "TunaAnalysisTests", dependencies: ["TunaAnalysis", "TunaSearch", "TunaTrain"], exclude: ["Fixtures"]),
    .testTarget(name: "TunaLuaTests", dependencies: ["TunaLua", "TunaSearch", "LuaVM", "TunaTestSupport"]),
    .testTarget(
      name: "TunaCLITests", dependencies: ["tuna", "TunaSearch", "TunaStore", "TunaLua", "TunaIsolation", "CSQLite"], exclude: ["Fixtures"]),
  ]
)
