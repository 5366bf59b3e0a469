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

    private func run(_ candidates: [Candidate], progress: CodingProgressLog? = nil) throws
        -> (kept: String?, tried: [String], leftOut: [String])
    {
        var tried: [String] = []
        let choice = try SmallestTrial.smallest(
            of: candidates, progress: progress.map { log in { log.values.append($0) } },
            isBounded: { $0.bound != nil },
            surelyExceeds: { candidate, smallest in smallest < candidate.bound! },
            payloadSize: { $0 - 10 }, size: { $0 },
            trial: { candidate, share in
                tried.append(candidate.name)
                share?(0.5)
                share?(1)
                return candidate.size
            })
        return (choice.map { candidates[$0.index].name }, tried, choice?.leftOut.map(\.name) ?? [])
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
                of: [1, 2], isBounded: { _ in false }, surelyExceeds: { _, _ in false }, payloadSize: { $0 },
                size: { $0 },
                trial: { (candidate: Int, _) -> Int in if candidate == 2 { throw Failure() } else { return candidate } })
        ) { XCTAssert($0 is Failure) }
    }
}

/// The fractions a progress handler was given, in order.
private final class CodingProgressLog {
    var values: [Double] = []
}
