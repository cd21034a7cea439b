// swift-tools-version:6.0
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny")
]

let package = Package(
    name: "termauth",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "termauth", targets: ["termauth"]),
        .library(name: "TermAuthCore", targets: ["TermAuthCore"]),
        .library(name: "TermAuthServer", targets: ["TermAuthServer"]),
        .library(name: "TermAuthConsole", targets: ["TermAuthConsole"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/LebJe/TOMLKit.git", from: "0.6.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-nio-ssh.git", from: "0.15.1"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.8.0"),
        // Already built for HummingbirdTesting; replaces URLSession (see DemoHTTP).
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
    ],
    targets: [
        .target(
            name: "TermAuthCore",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "TOMLKit", package: "TOMLKit"),
                .product(name: "JWTKit", package: "jwt-kit"),
            ],
            swiftSettings: strict
        ),
        .systemLibrary(name: "CNCursesW", path: "Sources/CNCursesW"),
        .systemLibrary(name: "CPseudoTerminal", path: "Sources/CPseudoTerminal"),
        .target(
            name: "TermAuthSSH",
            dependencies: [
                "TermAuthCore",
                "CPseudoTerminal",
                .product(name: "NIOSSH", package: "swift-nio-ssh"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "TermAuthConsole",
            dependencies: [
                "TermAuthCore",
                "CNCursesW",
                .product(name: "TOMLKit", package: "TOMLKit"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "TermAuthServer",
            dependencies: [
                "TermAuthCore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
            ],
            resources: [.embedInCode("OpenAPI/openapi.json")],
            swiftSettings: strict
        ),
        .target(
            name: "TermAuthDemo",
            dependencies: [
                "TermAuthCore",
                "TermAuthServer",
                "TermAuthConsole",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "termauth",
            dependencies: [
                "TermAuthCore",
                "TermAuthServer",
                "TermAuthConsole",
                "TermAuthDemo",
                "TermAuthSSH",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // Benchmark seeding (Tests/Performance/bench.sh); not part of the product.
        .executableTarget(
            name: "termauth-bench-seed",
            dependencies: ["TermAuthCore"],
            path: "Tests/Performance/Seed",
            swiftSettings: strict
        ),
        // What the core and HTTP suites share: the stores they run on.
        .target(
            name: "TermAuthTestSupport",
            dependencies: ["TermAuthCore"],
            path: "Tests/TestSupport",
            swiftSettings: strict
        ),
        .testTarget(
            name: "TermAuthCoreTests",
            dependencies: ["TermAuthCore", "TermAuthTestSupport", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: strict
        ),
        .testTarget(
            name: "TermAuthConsoleTests",
            dependencies: ["TermAuthCore", "TermAuthConsole"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "TermAuthSSHTests",
            dependencies: ["TermAuthCore", "TermAuthSSH"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "TermAuthServerTests",
            dependencies: [
                "TermAuthCore",
                "TermAuthTestSupport",
                "TermAuthServer",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            swiftSettings: strict
        ),
    ]
)
