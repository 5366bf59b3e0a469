import Bytes

/// How a payload of version 5 cuts a dataset into chains that borrow their start (docs/DESIGN.md §2.10,
/// docs/FORMAT.md §2.6).
///
/// Chain 0, the *lender*, is an ordinary chain: it starts fresh, pays its initial bits and codes its first
/// image in small tiles. Every other chain, a *borrower*, starts on a run of the lender's stored stack
/// words (its *loan*, taken from the lender's bottom up, loan after loan) instead of the seeded initial
/// bits, so it codes its first image whole and draws nothing but its heads. What a borrower pops from the
/// loan it carries in its own bytes (bits-back), so the lender's stored message leaves exactly those words
/// out (its *holes*): decoding the borrower to its end pushes them back. A loan's words the borrower
/// never read (its bottom, `untouched`) stay in the lender's bytes and are left out of the borrower's.
///
/// Invariants a decoder checks: 2 ≤ chains ≤ `maxChains`, each of at least one image, the images
/// counted exactly; a loan's `untouched` ≤ its `words`, its `lenderImages` ≤ the lender's images, and
/// all loans within the lender's stack.
struct ChainGroup: Equatable {
    /// A borrower's loan.
    struct Loan: Equatable {
        /// Words of the lender's stack the borrower started on (0: it started fresh, on initial bits): its
        /// head takes the top one, its stack the others (`Message.init(laneCount:seed:borrowing:)`).
        var words: Int
        /// Of those, how many at the bottom it left as they were: its stack ends on them, and they stay in
        /// the lender's bytes. The other `words − untouched` are the lender's hole.
        var untouched: Int
        /// How many of the lender's first images read the hole when they are decoded: a random access to
        /// one of them decodes this borrower first.
        var lenderImages: Int

        /// The lender's words the borrower carries.
        var taken: Int { words - untouched }
    }

    /// Images of each chain, in order.
    var imageCounts: [Int]
    /// Per borrower (chains 1…), its loan.
    var loans: [Loan]

    /// Most chains a payload holds.
    static let maxChains = 64
    /// Words lent to a borrower: its first image's need for bits on the stack (as the lender measured
    /// it per pixel) times this, so that the first image, coded whole, rarely draws initial bits.
    static let loanMargin = 1.15
    /// The lender's images (from its first) whose tiles measure the need per pixel the loans are sized by
    /// (`BitsBackCoder.ChainRecord.largestNeedPerPixel`; its first image, the ramp, excluded): known
    /// early, so that the borrowers can start while the lender is still being coded.
    static let probeImages = 16
    /// Most of the lender's words lent, as a fraction: the rest keeps the lender's later images free of
    /// holes. A borrower that does not fit starts fresh.
    static let lendableFraction = 0.5

    /// The chains' image ranges.
    var ranges: [Range<Int>] { Self.consecutiveRanges(imageCounts) }

    /// Where loan `b` (of chain b + 1) starts in the lender's stack.
    func loanStart(_ b: Int) -> Int { loans[..<b].reduce(0) { $0 + $1.words } }

    /// The lender's stack words of loans of these sizes, one after the other from the bottom.
    static func loanRanges(_ words: [Int]) -> [Range<Int>] { consecutiveRanges(words) }

    /// `[0..<c₀, c₀..<c₀ + c₁, …]` for counts `c`.
    private static func consecutiveRanges(_ counts: [Int]) -> [Range<Int>] {
        var start = 0
        return counts.map { count in
            defer { start += count }
            return start..<start + count
        }
    }

    /// The lender's words left out of its stored message, as ranges of its stack, bottom first.
    var holes: [Range<Int>] {
        loans.indices.compactMap { b in
            let start = loanStart(b)
            let hole = start + loans[b].untouched..<start + loans[b].words
            return hole.isEmpty ? nil : hole
        }
    }

    /// Every chain of a version-5 payload has one lane: a lane's state costs its bytes in every chain, and
    /// one lane decodes 32×32 images as fast as two (docs/DISTRIBUTED.md).
    static let lanes = 1

    /// Consecutive images of `areas` cut into chains: the lender of at most 2 × `chainPixels` pixels, the
    /// others of at most `chainPixels` (an image larger than that is a chain alone). The lender is larger
    /// so that it can lend to the others (each loan is about three images of the lender).
    static func partition(_ areas: [Int], chainPixels: Int) -> [Range<Int>] {
        let lenderPixels = chainPixels > Int.max / 2 ? Int.max : 2 * chainPixels
        var ranges: [Range<Int>] = []
        var start = 0
        var pixels = 0
        for (index, area) in areas.enumerated() {
            if index > start && pixels + area > (ranges.isEmpty ? lenderPixels : chainPixels) {
                ranges.append(start..<index)
                start = index
                pixels = 0
            }
            pixels += area
        }
        if start < areas.count { ranges.append(start..<areas.count) }
        guard ranges.count > maxChains else { return ranges }
        // More chains than a payload holds: as many equal runs of images as it does.
        let per = (areas.count + maxChains - 1) / maxChains
        return stride(from: 0, to: areas.count, by: per).map { $0..<min(areas.count, $0 + per) }
    }

    /// The borrowers' chains and the words each is lent: the chains `proposed` (after the lender's
    /// `lender`) if all their loans fit in the lendable part of the lender's `lenderWords` words, otherwise
    /// the images after the lender cut evenly by pixels into as many chains as fit; nil when not even one
    /// does (large images: the loans are the latents of a whole image, about three images' worth of a
    /// lender's words). A loan is its chain's first image's need (`needPerPixel` bits a pixel) with a margin.
    static func borrowers(
        after lender: Range<Int>, proposed: [Range<Int>], areas: [Int], needPerPixel: Double, lenderWords: Int
    ) -> [(chain: Range<Int>, words: Int)]? {
        let lendable = Double(lenderWords) * lendableFraction
        let rest = lender.upperBound..<areas.count
        for count in stride(from: proposed.count, through: 1, by: -1) {
            let chains = count == proposed.count ? proposed : evenly(rest, into: count, areas: areas)
            let words = chains.map { Int((needPerPixel * Double(areas[$0.lowerBound]) * loanMargin / 32).rounded(.up)) + 2 }
            if Double(words.reduce(0, +)) <= lendable { return Array(zip(chains, words)) }
        }
        return nil
    }

    /// `range` cut into `count` (≤ its images) consecutive runs of about equal pixels, each of at least one
    /// image.
    static func evenly(_ range: Range<Int>, into count: Int, areas: [Int]) -> [Range<Int>] {
        let total = areas[range].reduce(0, +)
        var runs: [Range<Int>] = []
        var start = range.lowerBound
        var sum = 0
        for i in range {
            sum += areas[i]
            let closing = runs.count + 1  // the run this image would close
            let left = range.upperBound - (i + 1)  // images after this one
            guard closing < count, left >= count - closing else { continue }
            if sum * count >= total * closing || left == count - closing {
                runs.append(start..<i + 1)
                start = i + 1
            }
        }
        runs.append(start..<range.upperBound)
        return runs
    }

    /// Appends the chain count, the image counts and the loans as varints.
    func write(to writer: inout ByteWriter) {
        writer.appendVarint(UInt64(imageCounts.count))
        for count in imageCounts { writer.appendVarint(UInt64(count)) }
        for loan in loans {
            writer.appendVarint(UInt64(loan.words))
            writer.appendVarint(UInt64(loan.untouched))
            writer.appendVarint(UInt64(loan.lenderImages))
        }
    }

    /// Reads what `write` wrote for a payload of `imageCount` images, with loans of at most `maxWords`
    /// words in all.
    /// - Throws: `BitsBackError.corruptPayload` for a field out of range or truncated.
    static func read(from reader: inout ByteReader, imageCount: Int, maxWords: Int) throws -> ChainGroup {
        func value(_ limit: Int, _ what: String) throws -> Int {
            do {
                return try reader.readVarint(atMost: limit, what)
            } catch {
                throw BitsBackError.corruptPayload("chain group: \(what) out of range or truncated")
            }
        }
        let count = try value(min(maxChains, imageCount), "chain count")
        guard count >= 2 else { throw BitsBackError.corruptPayload("chain group: \(count) chains") }
        var counts: [Int] = []
        var left = imageCount
        for _ in 0..<count {
            let images = try value(left, "image count")
            guard images >= 1 else { throw BitsBackError.corruptPayload("chain group: a chain of no image") }
            counts.append(images)
            left -= images
        }
        guard left == 0 else { throw BitsBackError.corruptPayload("chain group: \(left) images in no chain") }
        var loans: [Loan] = []
        var wordsLeft = maxWords
        for _ in 1..<count {
            let words = try value(wordsLeft, "loan")
            let untouched = try value(words, "untouched words")
            let images = try value(counts[0], "lender images")
            loans.append(Loan(words: words, untouched: untouched, lenderImages: images))
            wordsLeft -= words
        }
        return ChainGroup(imageCounts: counts, loans: loans)
    }
}
