import ANS
import Bytes
import Foundation
import Imaging
import Parallelism
import PixelCoding

/// Payload version 5: a dataset's images as several chains, all but the first starting on words lent by
/// the first (`ChainGroup`).
///
///     payload = parameter block (version 5) ‖ chain group (`ChainGroup.write`) ‖ tile list of all images
///               ‖ per chain: varint length ‖ its stored message
///
/// A chain's stored message is its serialized message (`Message.serialized()`) with words left out: the
/// lender's holes (`ChainGroup.holes`) from the lender's, each borrower's untouched bottom from its own.
extension BitsBackCoder {
    /// Codes `images` as chains: the lender (the first of `proposed`) first, then the borrowers on their
    /// loans, in parallel. The borrowers are the chains `proposed` after the lender, or fewer and longer
    /// ones where the lender cannot lend to so many (`ChainGroup.borrowers`), or none (one chain).
    func encodeGroup(_ images: [ModelImage], proposed: [Range<Int>], progress: CodingProgress?) throws
        -> (payload: [UInt8], report: CodingReport)
    {
        let areas = images.map { $0.width * $0.height }
        var parameters = laneCap.map { self.parameters.cappingLanes(at: $0, forImageAreas: areas) } ?? self.parameters
        parameters.version = ChainParameters.groupVersion
        parameters.streamCount = 1
        let steps = Double(parameters.steps + 1)
        let totalWork = Double(areas.reduce(0, +)) * steps

        // The lender's first images: the need its loans are sized by (`ChainGroup.probeImages`).
        var lender = try Message(laneCount: ChainGroup.lanes, seed: 0)
        let lenderCoder = try TileChainCoder(prior: prior, parameters: parameters, threads: threads)
        let lenderChain = proposed[0]
        var coded = lenderChain.lowerBound + min(lenderChain.count, ChainGroup.probeImages)
        var lenderRecord = try encodeChain(
            images[lenderChain.lowerBound..<coded], tileCoder: lenderCoder, onto: &lender, needPerPixel: nil
        ) { progress?($0 / totalWork) }
        // One image measures no need (its only image is its ramp): one chain (version 3).
        guard let need = lenderRecord.largestNeedPerPixel else { return try encodeOneChain(images, progress: progress) }
        let borrowersOf = { (words: Int) in
            ChainGroup.borrowers(
                after: lenderChain, proposed: Array(proposed.dropFirst()), areas: areas, needPerPixel: need, lenderWords: words)
        }

        // While the lender's stack is short of every proposed loan (with twice its deepest dip as a margin),
        // code it on alone; then the borrowers start on its bottom words beside the rest of it. Those
        // words are final unless the rest dips into them, and the loans are those the final stack gives
        // unless it lends to fewer chains: otherwise the borrowers are coded again, after the lender.
        let hoped = borrowersOf(.max)!
        let hopedLoans = ChainGroup.loanRanges(hoped.map(\.words))
        let hopedWords = hopedLoans.last!.upperBound
        while coded < lenderChain.upperBound, lender.wordCount < hopedWords + 2 * (lenderRecord.depths.max() ?? 0) {
            lenderRecord.append(
                try encodeChain(
                    images[coded..<coded + 1], tileCoder: lenderCoder, onto: &lender,
                    needPerPixel: lenderRecord.needPerPixel, progress: { _ in }))
            coded += 1
        }
        let restOfLender = coded..<lenderChain.upperBound
        // Too few words for the loans (the lender ended first: large images): no borrower starts early.
        let early = lender.wordCount >= hopedWords ? Array(lender.stackWords.prefix(hopedWords)) : nil
        var rest: (message: Message, record: BitsBackCoder.ChainRecord)?
        var borrowers: [BorrowerEncoding] = []
        // Jobs in this order: the rest of the lender (the longest), then the borrowers.
        let lenderJobs = restOfLender.isEmpty ? 0 : 1
        let codedShare = Double(areas[..<coded].reduce(0, +)) * steps / totalWork
        let coding = try ParallelJobs.run(
            count: lenderJobs + (early == nil ? 0 : hoped.count), threads: threads,
            progress: progress.map { report in { report(codedShare + (1 - codedShare) * $0) } }
        ) { inner -> (Int) throws -> BorrowerEncoding? in
            let tileCoder = try TileChainCoder(prior: prior, parameters: parameters, threads: inner)
            return { job in
                guard job >= lenderJobs else {
                    var message = lender
                    let record = try self.encodeChain(
                        images[restOfLender], tileCoder: tileCoder, onto: &message, needPerPixel: lenderRecord.needPerPixel,
                        progress: { _ in })
                    rest = (message, record)
                    return nil
                }
                let b = job - lenderJobs
                return try self.borrow(
                    Array(early![hopedLoans[b]]), for: images[hoped[b].chain], need: need, tileCoder: tileCoder)
            }
        }
        if let rest {
            lenderRecord.append(rest.record)
            lender = rest.message
        }
        let lenderWords = Array(lender.stackWords)
        guard let borrowing = borrowersOf(lenderWords.count) else { return try encodeOneChain(images, progress: progress) }
        let restLowest = lenderRecord.lowestWords[(coded - lenderChain.lowerBound)...].min() ?? .max
        if early != nil, borrowing.map(\.chain) == hoped.map(\.chain), borrowing.map(\.words) == hoped.map(\.words),
            restLowest >= hopedWords
        {
            borrowers = coding.compactMap { $0 }
        } else {
            let loans = ChainGroup.loanRanges(borrowing.map(\.words))
            borrowers = try ParallelJobs.run(count: borrowing.count, threads: threads) { inner in
                let tileCoder = try TileChainCoder(prior: prior, parameters: parameters, threads: inner)
                return { b in
                    try self.borrow(
                        Array(lenderWords[loans[b]]), for: images[borrowing[b].chain], need: need, tileCoder: tileCoder)
                }
            }
        }
        let chains = [lenderChain] + borrowing.map(\.chain)
        var group = ChainGroup(
            imageCounts: chains.map(\.count),
            loans: borrowing.map { ChainGroup.Loan(words: $0.words, untouched: 0, lenderImages: 0) })

        // Which of the lender's first images read each hole: image j's decode reads every word at or above
        // the least word count of images j… (`lowestWords`, a suffix minimum).
        var reach = lenderRecord.lowestWords
        for j in reach.indices.reversed().dropFirst() { reach[j] = min(reach[j], reach[j + 1]) }
        for (b, borrower) in borrowers.enumerated() {
            group.loans[b].untouched = borrower.untouched
            let end = group.loanStart(b) + group.loans[b].words
            group.loans[b].lenderImages = group.loans[b].taken == 0 ? 0 : reach.prefix { $0 < end }.count
        }

        var writer = ByteWriter()
        writer.append(parameters.encoded)
        group.write(to: &writer)
        let targets = lenderRecord.targets + borrowers.flatMap(\.record.targets)
        TileList.write(targets, areas: areas, runLength: true, to: &writer)
        let stored =
            [Self.leavingOut(group.holes, of: lender)]
            + borrowers.map { Self.leavingOut($0.untouched > 0 ? [0..<$0.untouched] : [], of: $0.message) }
        for bytes in stored {
            writer.appendVarint(UInt64(bytes.count))
            writer.append(bytes)
        }
        let payload = writer.bytes
        try checkWork(
            of: lenderRecord.tiles + borrowers.flatMap(\.record.tiles), steps: parameters.steps, payloadBytes: payload.count)
        let initialBits = borrowers.reduce(lender.initialBitsDrawn) { $0 + $1.message.initialBitsDrawn }
        let report = CodingReport(
            imageBits: lenderRecord.imageBits + borrowers.flatMap(\.record.imageBits), initialBits: initialBits,
            payloadBytes: payload.count)
        return (payload, report)
    }

    /// Codes a borrower's images on `loan`: its first tile sized by the lender's `need` per pixel.
    private func borrow(_ loan: [UInt32], for images: ArraySlice<ModelImage>, need: Double, tileCoder: TileChainCoder) throws
        -> BorrowerEncoding
    {
        var message = try Message(laneCount: ChainGroup.lanes, seed: 0, borrowing: loan)
        let record = try encodeChain(images, tileCoder: tileCoder, onto: &message, needPerPixel: need) { _ in }
        let untouched = zip(message.stackWords, loan).prefix { $0 == $1 }.count
        return BorrowerEncoding(message: message, record: record, untouched: untouched)
    }

    /// Decodes the chains of a version-5 payload that the images `wanted` need (`reader` just after the
    /// parameter block): each wanted image's chain down to it, and, where a wanted image of the lender
    /// reads a hole, the borrower that fills it, whole. The lender's images that read no such hole and the
    /// borrowers run at once (`ParallelJobs`); the lender's first images last, on their holes filled.
    func decodeGroup(
        _ reader: ByteReader, parameters: ChainParameters, payloadBytes: Int, shapes: [ModelImageShape],
        wanted: Set<Int>, progress: CodingProgress?
    ) throws -> [ModelImage?] {
        var reader = reader
        let group = try ChainGroup.read(from: &reader, imageCount: shapes.count, maxWords: payloadBytes / 4)
        let chains = group.ranges
        let areas = shapes.map { $0.width * $0.height }
        let tiles = try Self.tiles(
            of: shapes, parameters: parameters, targets: TileList.read(&reader, areas: areas, runLength: true))
        try checkWork(of: tiles.flatMap { $0 }, steps: parameters.steps, payloadBytes: payloadBytes)
        var stored: [[UInt8]] = []
        do {
            for _ in chains {
                let length = try reader.readVarint(atMost: reader.remaining, "chain length")
                stored.append(try reader.readBytes(length))
            }
        } catch {
            throw BitsBackError.corruptPayload("chain group: a chain's length beyond the payload")
        }
        guard reader.isAtEnd else { throw BitsBackError.corruptPayload("\(reader.remaining) bytes after the last chain") }
        let lender = try StoredStack(stored[0], leftOut: group.holes)
        guard group.loans.reduce(0, { $0 + $1.words }) <= lender.wordCount else {
            throw BitsBackError.corruptPayload("chain group: loans beyond the lender's stack")
        }

        // From which image each chain is decoded (nil: not at all).
        var first: [Int?] = []
        for chain in chains {
            let inChain = wanted.filter { chain.contains($0) }
            first.append(inChain.min().map { $0 - chain.lowerBound })
        }
        if let lenderFirst = first[0] {
            for (b, loan) in group.loans.enumerated() where loan.taken > 0 && loan.lenderImages > lenderFirst {
                first[b + 1] = 0
            }
        }
        var totalWork = 0.0
        for (c, chain) in chains.enumerated() {
            guard let from = first[c] else { continue }
            totalWork += Double(areas[chain].dropFirst(from).reduce(0, +)) * Double(parameters.steps + 1)
        }
        let lock = ProgressTally(progress, total: totalWork)

        // The jobs, handed out in this order: the lender's images that read no hole it needs filled, every
        // borrower wanted, then the lender's first images, which wait for all the others.
        let borrowing = chains.indices.dropFirst().filter { first[$0] != nil }
        let needed = group.loans.indices.filter { first[$0 + 1] == 0 && group.loans[$0].taken > 0 }
        let lenderFirst = first[0]
        let split = lenderFirst.map { from in max(from, needed.map { group.loans[$0].lenderImages }.max() ?? 0) }
        var jobs: [GroupJob] = []
        if let split { jobs.append(.lenderAbove(split)) }
        jobs += borrowing.map { GroupJob.borrower($0) }
        if let lenderFirst, let split, split > lenderFirst { jobs.append(.lenderBelow(lenderFirst)) }
        let handOff = LenderHandOff()
        var lenderStack = lender

        let results: [(start: Int, images: [ModelImage])] = try ParallelJobs.run(count: jobs.count, threads: threads) {
            inner in
            let tileCoder = try TileChainCoder(prior: prior, parameters: parameters, threads: inner)
            return { job in
                switch jobs[job] {
                case .lenderAbove(let from):
                    return try handOff.running {
                        var message: Message
                        do {
                            message = try Message(serialized: lender.bytes, verifyingChecksum: false)
                        } catch {
                            throw BitsBackError.corruptPayload("\(error)")
                        }
                        guard message.laneCount == ChainGroup.lanes, message.seed == 0 else {
                            throw BitsBackError.corruptPayload("unexpected lane count or seed")
                        }
                        Self.boundInitialDrawing(of: &message)
                        let images = try self.decodeChain(
                            shapes[chains[0]], tiles: tiles[chains[0]], from: from, tileCoder: tileCoder, message: &message,
                            progress: lock.counter())
                        // An honest group's upper lender images read no hole at all.
                        guard message.lowestWordCount >= (group.holes.last?.upperBound ?? 0) else {
                            throw BitsBackError.corruptPayload("the lender's decode read words lent to a chain not decoded")
                        }
                        handOff.update { $0.lender = message }
                        return (chains[0].lowerBound + from, images)
                    }
                case .borrower(let c):
                    return try handOff.running {
                        let b = c - 1
                        let start = group.loanStart(b)
                        let loan = group.loans[b]
                        let bottom = try lender.words(start..<start + loan.untouched)
                        var message = try self.reading(stored[c], inserting: bottom, at: 0, lanes: ChainGroup.lanes)
                        let images = try self.decodeChain(
                            shapes[chains[c]], tiles: tiles[chains[c]], from: first[c]!, tileCoder: tileCoder,
                            message: &message, progress: lock.counter())
                        guard first[c] == 0 else { return (chains[c].lowerBound + first[c]!, images) }
                        // Back at its start: the loan (its untouched bottom as the lender stores it), or a fresh message.
                        let initial =
                            try loan.words == 0
                            ? Message(laneCount: ChainGroup.lanes, seed: 0)
                            : message.loanItStartedFrom.map { try Message(laneCount: ChainGroup.lanes, seed: 0, borrowing: $0) }
                        let started = loan.words == 0 ? [] : message.loanItStartedFrom ?? []
                        guard let initial, message == initial, started.count == loan.words,
                            started.prefix(loan.untouched).elementsEqual(bottom)
                        else {
                            throw BitsBackError.corruptPayload("chain \(c) did not return to its loan")
                        }
                        let taken = Array(started.dropFirst(loan.untouched))
                        handOff.update { $0.taken[b] = taken }
                        return (chains[c].lowerBound, images)
                    }
                case .lenderBelow(let from):
                    handOff.waitForAll(jobs.count - 1)
                    if let failure = handOff.failure { throw failure }
                    guard var message = handOff.lender, needed.allSatisfy({ handOff.taken[$0] != nil }) else {
                        throw BitsBackError.corruptPayload("a chain the lender needs was not decoded")
                    }
                    for b in needed {
                        let at = group.loanStart(b) + group.loans[b].untouched
                        do {
                            try message.replaceStackWords(at: at, with: handOff.taken[b]!)
                        } catch {
                            throw BitsBackError.corruptPayload("the lender's decode read words lent to a chain not decoded")
                        }
                    }
                    let below = chains[0].lowerBound..<chains[0].lowerBound + split!
                    let images = try self.decodeChain(
                        shapes[below], tiles: tiles[below], from: from, tileCoder: tileCoder, message: &message,
                        progress: lock.counter())
                    handOff.update { $0.lender = message }
                    return (chains[0].lowerBound + from, images)
                }
            }
        }

        var decoded = [ModelImage?](repeating: nil, count: shapes.count)
        for (start, images) in results {
            for (offset, image) in images.enumerated() { decoded[start + offset] = image }
        }
        if let lenderFirst {
            for b in needed { try lenderStack.fill(group.loanStart(b) + group.loans[b].untouched, with: handOff.taken[b]!) }
            guard let message = handOff.lender else { throw BitsBackError.corruptPayload("the lender was not decoded") }
            // A hole not filled must not have been read (the loan's `lenderImages` said so).
            let unfilled = group.loans.indices.filter { group.loans[$0].taken > 0 && !needed.contains($0) }
            let deepestUnread = unfilled.map { group.loanStart($0) + group.loans[$0].words }.max() ?? 0
            guard message.lowestWordCount >= deepestUnread else {
                throw BitsBackError.corruptPayload("the lender's decode read words lent to a chain not decoded")
            }
            guard !verifiesMessageChecksum || !unfilled.isEmpty || lenderStack.checksumMatches else {
                throw BitsBackError.corruptPayload("the lender's message checksum does not match")
            }
            let fresh = try Message(laneCount: ChainGroup.lanes, seed: 0)
            guard lenderFirst > 0 || message == fresh else {
                throw BitsBackError.corruptPayload("the message did not return to its initial state")
            }
        }
        return decoded
    }

    /// A borrower's message from its stored bytes, with its untouched bottom put back.
    private func reading(_ stored: [UInt8], inserting bottom: [UInt32], at word: Int, lanes: Int) throws -> Message {
        var message: Message
        do {
            var stack = try StoredStack(stored, leftOut: bottom.isEmpty ? [] : [word..<word + bottom.count])
            try stack.fill(word, with: bottom)
            message = try Message(serialized: stack.bytes, verifyingChecksum: verifiesMessageChecksum)
        } catch let error as BitsBackError {
            throw error
        } catch {
            throw BitsBackError.corruptPayload("\(error)")
        }
        guard message.laneCount == lanes, message.seed == 0 else {
            throw BitsBackError.corruptPayload("unexpected lane count or seed")
        }
        Self.boundInitialDrawing(of: &message)
        return message
    }

    /// A serialized message with the stack words of `ranges` (ascending, disjoint) left out.
    static func leavingOut(_ ranges: [Range<Int>], of message: Message) -> [UInt8] {
        let bytes = message.serialized()
        let wordsOffset = bytes.count - 4 - 4 * message.wordCount
        var kept: [UInt8] = []
        kept.reserveCapacity(bytes.count - 4 * ranges.reduce(0) { $0 + $1.count })
        var next = 0
        for range in ranges {
            kept.append(contentsOf: bytes[next..<wordsOffset + 4 * range.lowerBound])
            next = wordsOffset + 4 * range.upperBound
        }
        kept.append(contentsOf: bytes[next...])
        return kept
    }
}

/// A part of a group's decoding (`decodeGroup`).
private enum GroupJob {
    /// The lender's images from this one on (those that read no hole that a borrower must fill first).
    case lenderAbove(Int)
    /// The borrower of this chain.
    case borrower(Int)
    /// The lender's images from this one up to the split, after every other job, on their holes filled.
    case lenderBelow(Int)
}

/// What a group's jobs hand to the lender's last part: the lender's message as its first part left it,
/// the words each borrower decoded whole gave back, and the first error of a job. Every job but the last
/// marks itself done (`running`), also when it fails, so the last never waits forever and rethrows that
/// error rather than one of its own.
private final class LenderHandOff: @unchecked Sendable {
    private let condition = NSCondition()
    private var done = 0
    var lender: Message?
    /// Per loan, the words its borrower gave back.
    var taken: [Int: [UInt32]] = [:]
    /// The first error a job threw.
    var failure: Error?

    /// Runs a job that the last one waits for: records its error, then marks it done.
    func running<Result>(_ body: () throws -> Result) throws -> Result {
        defer { markDone() }
        do {
            return try body()
        } catch {
            update { if $0.failure == nil { $0.failure = error } }
            throw error
        }
    }

    func update(_ body: (LenderHandOff) -> Void) {
        condition.lock()
        body(self)
        condition.unlock()
    }

    func markDone() {
        condition.lock()
        done += 1
        condition.broadcast()
        condition.unlock()
    }

    func waitForAll(_ count: Int) {
        condition.lock()
        while done < count { condition.wait() }
        condition.unlock()
    }
}

/// A borrower as its encoder left it.
private struct BorrowerEncoding {
    var message: Message
    var record: BitsBackCoder.ChainRecord
    /// Words at the bottom of its loan it left as they were.
    var untouched: Int
}

/// A stored message with some stack words left out (`BitsBackCoder.leavingOut`): the words it still
/// holds can be read, and the words left out filled in, until `bytes` is the serialized message again.
/// Left-out words read as zero until they are filled.
struct StoredStack {
    /// The serialized message, left-out words zero until filled.
    private(set) var bytes: [UInt8]
    /// Words of the message's stack.
    let wordCount: Int
    private let wordsOffset: Int
    private let leftOut: [Range<Int>]

    /// - Throws: `BitsBackError.corruptPayload` when the header cannot be read or the bytes do not hold
    ///   exactly the words that are not left out.
    init(_ stored: [UInt8], leftOut: [Range<Int>]) throws {
        let layout: (wordsOffset: Int, wordCount: Int)
        do {
            layout = try Message.serializedWordLayout(of: stored)
        } catch {
            throw BitsBackError.corruptPayload("\(error)")
        }
        let missing = leftOut.reduce(0) { $0 + $1.count }
        guard leftOut.allSatisfy({ $0.upperBound <= layout.wordCount }), missing <= layout.wordCount,
            stored.count == layout.wordsOffset + 4 * (layout.wordCount - missing) + 4
        else {
            throw BitsBackError.corruptPayload("a stored chain of \(stored.count) bytes does not hold its words")
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(stored.count + 4 * missing)
        var next = 0  // bytes of `stored` copied
        var before = 0  // words left out below the current range
        var end = 0
        for range in leftOut {
            guard range.lowerBound >= end else { throw BitsBackError.corruptPayload("chain group: overlapping holes") }
            end = range.upperBound
            let at = layout.wordsOffset + 4 * (range.lowerBound - before)
            bytes.append(contentsOf: stored[next..<at])
            bytes.append(contentsOf: repeatElement(0, count: 4 * range.count))
            next = at
            before += range.count
        }
        bytes.append(contentsOf: stored[next...])
        self.bytes = bytes
        self.wordCount = layout.wordCount
        self.wordsOffset = layout.wordsOffset
        self.leftOut = leftOut
    }

    /// Whether the message's CRC-32 matches its bytes (all left-out words filled).
    var checksumMatches: Bool {
        let end = bytes.count - 4
        return bytes.withUnsafeBufferPointer { CRC32.checksum(UnsafeBufferPointer(rebasing: $0[0..<end])) } == word(at: end)
    }

    /// Stack words `range`, none of them left out.
    func words(_ range: Range<Int>) throws -> [UInt32] {
        guard range.upperBound <= wordCount, !leftOut.contains(where: { $0.overlaps(range) }) else {
            throw BitsBackError.corruptPayload("chain group: a loan's untouched words are not stored")
        }
        return range.map { word(at: wordsOffset + 4 * $0) }
    }

    /// The little-endian u32 at byte `at`.
    private func word(at: Int) -> UInt32 {
        (0..<4).reduce(0) { $0 | UInt32(bytes[at + $1]) << (8 * UInt32($1)) }
    }

    /// Puts `words` in at stack word `start` (a left-out range, filled whole).
    mutating func fill(_ start: Int, with words: [UInt32]) throws {
        guard words.isEmpty || leftOut.contains(start..<start + words.count) else {
            throw BitsBackError.corruptPayload("chain group: words that were not left out")
        }
        for (k, word) in words.enumerated() {
            let at = wordsOffset + 4 * (start + k)
            for byte in 0..<4 { bytes[at + byte] = UInt8(truncatingIfNeeded: word >> (8 * UInt32(byte))) }
        }
    }
}

/// Progress of several chains decoded at once, as one fraction.
private final class ProgressTally: @unchecked Sendable {
    private let report: CodingProgress?
    private let total: Double
    private var done = 0.0
    private let lock = NSLock()

    init(_ report: CodingProgress?, total: Double) {
        self.report = report
        self.total = max(1, total)
    }

    /// A chain's progress callback (pixel-steps done in that chain).
    func counter() -> (Double) -> Void {
        var last = 0.0
        return { [self] now in
            lock.lock()
            defer { lock.unlock() }
            done += now - last
            last = now
            report?(min(1, done / total))
        }
    }
}
