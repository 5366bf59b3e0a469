import Foundation
import PixelCoding
import XCTest
@testable import Codec

/// `SmallestTrial.smallest`: bounded candidates go last, a bound leaves a candidate out only when it says
/// so, the smallest result wins with ties to the first in the candidates' order, and progress runs once
/// from 0 to 1.
final class SmallestTrialTests: XCTestCase {
    /// A candidate: its name, the size its trial returns (payload = size − 10), and for a bounded one
    /// the payload its bound claims to exceed.
    private struct Candidate: Equatable {
        let name: String
        let size: Int
        var bound: Int?
    }

    private func run(_ candidates: [Candidate], progress: CodingProgressLog? = nil, aside: Bool = false) throws
        -> (kept: String?, tried: [String], leftOut: [String])
    {
        let tried = TrialLog()
        let choice = try SmallestTrial.smallest(
            of: candidates, progress: progress.map { log in { log.values.append($0) } },
            bound: { $0.bound.map { LimitBound(limit: $0) } }, worksAside: aside,
            payloadSize: { $0 - 10 }, size: { $0 },
            trial: { candidate, share in
                tried.append(candidate.name)
                share?(0.5)
                share?(1)
                return candidate.size
            })
        return (choice.map { candidates[$0.index].name }, tried.names, choice?.leftOut.map(\.name) ?? [])
    }

    func testBoundedCandidatesRunLastAndAreLeftOutOnlyByTheirBound() throws {
        let candidates = [
            Candidate(name: "prior", size: 90, bound: 95), Candidate(name: "context", size: 100),
            Candidate(name: "stored", size: 120),
        ]
        // The smallest payload before the bounded one is 90 (context): 90 < 95, so it is left out.
        let out = try run(candidates)
        XCTAssertEqual(out.tried, ["context", "stored"])
        XCTAssertEqual(out.leftOut, ["prior"])
        XCTAssertEqual(out.kept, "context")
        // A bound at or below the smallest payload says nothing: the candidate is tried, and wins.
        var open = candidates
        open[0].bound = 90
        let tried = try run(open)
        XCTAssertEqual(tried.tried, ["context", "stored", "prior"])
        XCTAssertEqual(tried.leftOut, [])
        XCTAssertEqual(tried.kept, "prior")
    }

    func testEqualSizesGoToTheFirstInTheCandidatesOrderNotTheOrderTried() throws {
        // "prior" is tried last (bounded) but comes first among the candidates: it keeps the tie.
        let out = try run([Candidate(name: "prior", size: 100, bound: 0), Candidate(name: "context", size: 100)])
        XCTAssertEqual(out.tried, ["context", "prior"])
        XCTAssertEqual(out.kept, "prior")
        XCTAssertEqual(try run([Candidate(name: "a", size: 7), Candidate(name: "b", size: 7)]).kept, "a")
        XCTAssertNil(try run([]).kept)
    }

    func testProgressRunsOnceFromZeroToOneOverAllCandidates() throws {
        let log = CodingProgressLog()
        _ = try run(
            [
                Candidate(name: "prior", size: 90, bound: 95), Candidate(name: "context", size: 100),
                Candidate(name: "stored", size: 120),
            ],
            progress: log)
        XCTAssertEqual(log.values, [0.5 / 3, 1.0 / 3, 1.5 / 3, 2.0 / 3, 1.0], "a left-out candidate counts as done")
    }

    func testATrialsErrorStopsTheChoice() throws {
        struct Failure: Error {}
        XCTAssertThrowsError(
            try SmallestTrial.smallest(
                of: [1, 2], bound: { _ in nil }, payloadSize: { $0 },
                size: { $0 },
                trial: { (candidate: Int, _) -> Int in if candidate == 2 { throw Failure() } else { return candidate } })
        ) { XCTAssert($0 is Failure) }
    }
}

extension SmallestTrialTests {
    /// Prepared aside, the bounds' first work runs on another thread, before the bounded candidate is
    /// decided, and the choice is the one made without it.
    func testBoundsPreparedAsideRunOnAnotherThreadAndChooseTheSame() throws {
        let candidates = [
            Candidate(name: "prior", size: 90, bound: 95), Candidate(name: "context", size: 100),
            Candidate(name: "stored", size: 120),
        ]
        let inline = try run(candidates)
        XCTAssertEqual(try run(candidates, aside: true).kept, inline.kept)
        XCTAssertEqual(try run(candidates, aside: true).leftOut, inline.leftOut)
        let bound = LimitBound(limit: 101)
        let choice = try SmallestTrial.smallest(
            of: ["prior", "context"], bound: { $0 == "prior" ? bound : nil }, worksAside: true,
            payloadSize: { $0 }, size: { $0 }, trial: { name, _ in name == "prior" ? 90 : 100 })
        XCTAssertEqual(choice?.leftOut, ["prior"])
        XCTAssertEqual(bound.preparedOnMainThread, false, "prepared on a thread of its own")
        XCTAssertEqual(bound.askedBeforePrepared, false)
    }

    /// Aside, the unbounded trials after the first run on another thread, and an aside trial's error comes
    /// where it would have run: after the first trial's own error.
    func testAsideTrialsRunOnAnotherThreadAndTheirErrorsComeInOrder() throws {
        struct Failure: Error, Equatable { let name: String }
        let log = TrialLog()
        let choice = try SmallestTrial.smallest(
            of: ["context", "stored", "raw"], bound: { _ in nil }, worksAside: true, payloadSize: { $0 }, size: { $0 },
            trial: { name, _ in
                log.append(name + (Thread.isMainThread ? "@main" : "@aside"))
                return name.count
            })
        XCTAssertEqual(choice?.index, 2, "raw: 3 bytes")
        XCTAssertEqual(Set(log.names), ["context@main", "stored@aside", "raw@aside"])
        func failing(_ names: Set<String>) -> Error? {
            var thrown: Error?
            XCTAssertThrowsError(
                try SmallestTrial.smallest(
                    of: ["context", "stored", "raw"], bound: { _ in nil }, worksAside: true, payloadSize: { $0 },
                    size: { $0 },
                    trial: { (name, _) -> Int in
                        if names.contains(name) { throw Failure(name: name) }
                        return 1
                    })
            ) { thrown = $0 }
            return thrown
        }
        XCTAssertEqual(failing(["raw"]) as? Failure, Failure(name: "raw"))
        XCTAssertEqual(failing(["stored", "raw"]) as? Failure, Failure(name: "stored"))
        XCTAssertEqual(failing(["context", "stored"]) as? Failure, Failure(name: "context"))
    }

    /// An aside trial's outcome is taken as soon as it is there, while the bound is still being prepared:
    /// the progress passes the aside trial's share before the preparation ends.
    func testAnAsideTrialsOutcomeDoesNotWaitForTheBoundsPreparation() throws {
        let bound = BlockingBound()
        let choice = try SmallestTrial.smallest(
            of: ["prior", "context", "stored"],
            progress: { if $0 >= 2.0 / 3 { bound.release() } },
            bound: { $0 == "prior" ? bound : nil }, worksAside: true, payloadSize: { $0 }, size: { $0 },
            trial: { name, share in
                share?(1)
                return name.count
            })
        XCTAssertEqual(choice?.index, 0, "prior: 5 bytes, not left out")
        XCTAssertEqual(bound.wasReleased, true, "released by the progress of the stored trial's share")
    }

    /// Nothing is prepared aside when no unbounded trial runs beside it (the bound would never be asked).
    func testNothingIsPreparedWithoutAnUnboundedTrial() throws {
        let bound = LimitBound(limit: 0)
        let choice = try SmallestTrial.smallest(
            of: ["prior"], bound: { _ in bound }, worksAside: true, payloadSize: { $0 }, size: { $0 },
            trial: { _, _ in 5 })
        XCTAssertEqual(choice?.index, 0)
        XCTAssertNil(bound.preparedOnMainThread)
    }

    /// A preparation's error is thrown where the bound is asked (the bound meets it again): after the
    /// unbounded trials, whose own errors come first, and after an earlier bounded candidate's trial.
    func testAPreparationsErrorComesWhereTheBoundIsAskedAndAfterATrialsError() throws {
        struct Failure: Error, Equatable { let name: String }
        let failing = LimitBound(limit: 0, failure: Failure(name: "prepare"))
        let tried = TrialLog()
        XCTAssertThrowsError(
            try SmallestTrial.smallest(
                of: ["prior", "context"], bound: { $0 == "prior" ? failing : nil }, worksAside: true,
                payloadSize: { $0 }, size: { $0 },
                trial: { name, _ in
                    tried.append(name)
                    return 1
                })
        ) { XCTAssertEqual($0 as? Failure, Failure(name: "prepare")) }
        XCTAssertEqual(tried.names, ["context"])
        XCTAssertThrowsError(
            try SmallestTrial.smallest(
                of: ["prior", "context"],
                bound: { $0 == "prior" ? LimitBound(limit: 0, failure: Failure(name: "prepare")) : nil },
                worksAside: true, payloadSize: { $0 }, size: { $0 },
                trial: { (_, _) -> Int in throw Failure(name: "trial") })
        ) { XCTAssertEqual($0 as? Failure, Failure(name: "trial")) }
        // Two bounded candidates: the second's preparation fails, the first is not left out and its trial
        // fails: the first's error comes first, as on one thread.
        XCTAssertThrowsError(
            try SmallestTrial.smallest(
                of: ["prior", "other", "context"],
                bound: { name in
                    name == "prior"
                        ? LimitBound(limit: 0) : name == "other" ? LimitBound(limit: 0, failure: Failure(name: "prepare")) : nil
                },
                worksAside: true, payloadSize: { $0 }, size: { $0 },
                trial: { (name, _) -> Int in
                    if name == "prior" { throw Failure(name: "prior") }
                    return 1
                })
        ) { XCTAssertEqual($0 as? Failure, Failure(name: "prior")) }
    }
}

/// A bound that exceeds every payload below `limit`; it records where it was prepared (nil: never) and
/// whether it was asked first, and its `prepare` and `surelyExceeds` throw `failure` when given one.
private final class LimitBound: PayloadSizeBound, @unchecked Sendable {
    let limit: Int
    let failure: (any Error)?
    private(set) var preparedOnMainThread: Bool?
    private(set) var askedBeforePrepared: Bool?

    init(limit: Int, failure: (any Error)? = nil) {
        self.limit = limit
        self.failure = failure
    }

    func prepare() throws {
        preparedOnMainThread = Thread.isMainThread
        if let failure { throw failure }
    }

    /// Meets `failure` again, as a real bound whose work failed would.
    func surelyExceeds(_ bytes: Int) throws -> Bool {
        if askedBeforePrepared == nil { askedBeforePrepared = preparedOnMainThread == nil }
        if let failure { throw failure }
        return bytes < limit
    }
}

/// A bound whose `prepare` waits (up to 10 s) to be released, recording whether it was; it never exceeds.
private final class BlockingBound: PayloadSizeBound, @unchecked Sendable {
    private let released = DispatchSemaphore(value: 0)
    private(set) var wasReleased: Bool?

    func release() { released.signal() }

    func prepare() throws {
        wasReleased = released.wait(timeout: .now() + 10) == .success
    }

    func surelyExceeds(_ bytes: Int) throws -> Bool { false }
}

/// The names of the trials run, in the order they started, from any thread.
private final class TrialLog: @unchecked Sendable {
    private let lock = NSLock()
    private var started: [String] = []

    func append(_ name: String) {
        lock.lock()
        started.append(name)
        lock.unlock()
    }

    var names: [String] {
        lock.lock()
        defer { lock.unlock() }
        return started
    }
}

/// The fractions a progress handler was given, in order.
private final class CodingProgressLog {
    var values: [Double] = []
}
