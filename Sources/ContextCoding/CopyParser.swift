/// The encoder's parse of a stripe for the copy layer (`CopyCoder`): which pixels to copy from where.
///
/// A near-optimal parse by dynamic programming over the pixels (as zopfli and LZMA's optimum parser):
/// every pixel is reached either as a literal, at the cost the stripe's model paid for it without copies
/// (`literalCosts`, measured), or by a copy from a candidate distance: the path's two last distances, 1 (W),
/// w (N), and up to `chainLimit` earlier positions with the same hash of the next `keyLength` pixels.
/// Copies and their kinds, offsets and lengths are priced by a static model fitted to the previous
/// parse's tokens (first by a guess), and the parse is repeated `passes` times. Work is bounded: at most
/// `chainLimit` + 4 candidates per pixel, each compared over at most `niceLength` pixels, and a copy of
/// `niceLength` or more is taken at once (its pixels are not parsed again), so an image of n pixels
/// costs O(n · niceLength · chainLimit) at worst. Costs are integers (`BitCost`): the parse, and so the
/// bytes, do not depend on the CPU.
struct CopyParser {
    static let niceLength = 128
    /// Hash-chain candidates per pixel at most: 24 for few colours (keys of 4 pixels or more), else 8
    /// (measured: 24 instead of 8 saves 0.3–3 % on the 200-gray-level graphics but costs about 0.7 s per
    /// megapixel on gray photographs, which take no copies).
    var chainLimit: Int { keyLength >= 4 ? 24 : 8 }
    static let passes = 3

    let width: Int
    /// The stripe's pixels (any key with equality meaning equal pixels), raster order.
    let keys: [UInt32]
    /// Per pixel the cost of coding it as a literal.
    let literalCosts: [Int32]
    /// Pixels hashed to find candidates: fewer for more colours.
    let keyLength: Int

    /// The static prices of one parse pass.
    struct Prices {
        /// Per kind (0 literal, 1 last distance, 2 the one before, 3 new): the kind symbol.
        var kind = [Int](repeating: 0, count: 4)
        /// At (kind − 1)·A + token (A the token alphabet): a length token and its raw bits.
        var length: [Int] = []
        var row: [Int] = []
        /// At min(dy, 2)·A + token: a column token and its raw bits.
        var column: [Int] = []
        /// At (kind − 1)·(niceLength + 1) + l: the price of length l ≤ niceLength.
        var shortLength: [Int] = []

        /// Prices from token counts (add-½ smoothing); a token's raw bits cost one bit each.
        init(kinds: [Int], lengths: [[Int]], rows: [Int], columns: [[Int]]) {
            func prices(_ counts: [Int], rawBits: Bool) -> [Int] {
                let total = counts.reduce(0, +)
                return counts.indices.map {
                    BitCost.estimate(count: counts[$0], total: total, alphabet: counts.count)
                        + (rawBits ? ExponentToken.extraBits(of: $0) * BitCost.bit : 0)
                }
            }
            kind = prices(kinds, rawBits: false)
            length = lengths.flatMap { prices($0, rawBits: true) }
            row = prices(rows, rawBits: true)
            column = columns.flatMap { prices($0, rawBits: true) }
            let a = CopyCoder.tokenAlphabet
            shortLength = (0..<3).flatMap { k in
                (0...CopyParser.niceLength).map { l in l == 0 ? 0 : length[k * a + ExponentToken.split(l - 1).token] }
            }
        }

        /// The first guess: copies rare (about 1 in 100 kind symbols), tokens uniform.
        static let guess = Prices(
            kinds: [4000, 20, 5, 20], lengths: .init(repeating: .init(repeating: 0, count: CopyCoder.tokenAlphabet), count: 3),
            rows: .init(repeating: 0, count: CopyCoder.tokenAlphabet),
            columns: .init(repeating: .init(repeating: 0, count: CopyCoder.tokenAlphabet), count: 3))

        @inline(__always)
        func lengthPrice(kind: Int, _ length: Int) -> Int {
            length <= CopyParser.niceLength
                ? shortLength[(kind - 1) * (CopyParser.niceLength + 1) + length]
                : self.length[(kind - 1) * CopyCoder.tokenAlphabet + ExponentToken.split(length - 1).token]
        }

        /// The price of a new distance's offsets in rows of `width`.
        @inline(__always)
        func distancePrice(_ distance: Int, width: Int) -> Int {
            let (dy, dx) = CopyCoder.offsets(of: distance, width: width)
            return row[ExponentToken.split(dy).token]
                + column[min(dy, 2) * CopyCoder.tokenAlphabet + ExponentToken.split(CopyCoder.columnValue(dy: dy, dx: dx)).token]
        }
    }

    /// The prices fitted to `plan` over a stripe of `pixelCount` pixels (replaying the last distances).
    func prices(fittedTo plan: [CopyMatch]) -> Prices {
        let a = CopyCoder.tokenAlphabet
        var kinds = [0, 0, 0, 0]
        var lengths = [[Int]](repeating: [Int](repeating: 0, count: a), count: 3)
        var rows = [Int](repeating: 0, count: a)
        var columns = [[Int]](repeating: [Int](repeating: 0, count: a), count: 3)
        var recent = (width, 1)
        var covered = 0
        for match in plan {
            let kind = match.distance == recent.0 ? 1 : match.distance == recent.1 ? 2 : 3
            kinds[kind] += 1
            covered += match.length
            lengths[kind - 1][ExponentToken.split(match.length - 1).token] += 1
            if kind == 2 { recent = (recent.1, recent.0) }
            if kind == 3 {
                let (dy, dx) = CopyCoder.offsets(of: match.distance, width: width)
                rows[ExponentToken.split(dy).token] += 1
                columns[min(dy, 2)][ExponentToken.split(CopyCoder.columnValue(dy: dy, dx: dx)).token] += 1
                recent = (match.distance, recent.0)
            }
        }
        kinds[0] = keys.count - covered
        return Prices(kinds: kinds, lengths: lengths, rows: rows, columns: columns)
    }

    /// The best parse found, its estimated cost and the cost without copies (both `BitCost`), or nil when
    /// the first pass finds no parse cheaper than no copies.
    func parse() -> (plan: [CopyMatch], cost: Int, literalCost: Int)? {
        let literalCost = literalCosts.reduce(0) { $0 + Int($1) }
        let hashes = self.hashes()
        var (plan, cost) = parse(prices: .guess, hashes: hashes)
        if plan.isEmpty || cost >= literalCost { return nil }
        for _ in 1..<Self.passes {
            (plan, cost) = parse(prices: prices(fittedTo: plan), hashes: hashes)
        }
        return (plan, cost, literalCost)
    }

    /// Per pixel p with p + keyLength ≤ n, a hash of keys p ..< p + keyLength.
    private func hashes() -> [UInt32] {
        let n = keys.count
        guard n >= keyLength else { return [] }
        var hashes = [UInt32](repeating: 0, count: n - keyLength + 1)
        keys.withUnsafeBufferPointer { k in
            for p in 0...(n - keyLength) {
                var h: UInt64 = 0
                for j in 0..<keyLength { h = (h ^ UInt64(k[p + j])) &* 0x9E37_79B9_7F4A_7C15 }
                hashes[p] = UInt32(truncatingIfNeeded: (h ^ (h >> 29)) &* 0xBF58_476D_1CE4_E5B9 >> 32)
            }
        }
        return hashes
    }

    /// One pass of the dynamic programme under `prices`.
    private func parse(prices: Prices, hashes: [UInt32]) -> (plan: [CopyMatch], cost: Int) {
        let n = keys.count
        let w = width
        // Per node p (pixels 0 ..< p parsed): the cheapest cost, the path's last two distances, and the
        // step that reached it (a literal: distance 0).
        let cost = UnsafeMutablePointer<Int>.allocate(capacity: n + 1)
        let recent0 = UnsafeMutablePointer<Int32>.allocate(capacity: n + 1)
        let recent1 = UnsafeMutablePointer<Int32>.allocate(capacity: n + 1)
        let fromLength = UnsafeMutablePointer<Int32>.allocate(capacity: n + 1)
        let fromDistance = UnsafeMutablePointer<Int32>.allocate(capacity: n + 1)
        var hashBits = 10
        while hashBits < 18 && 1 << hashBits < n { hashBits += 1 }
        let head = UnsafeMutablePointer<Int32>.allocate(capacity: 1 << hashBits)
        let previous = UnsafeMutablePointer<Int32>.allocate(capacity: max(1, hashes.count))
        defer {
            for buffer in [cost] as [UnsafeMutablePointer<Int>] { buffer.deallocate() }
            for buffer in [recent0, recent1, fromLength, fromDistance, head, previous] { buffer.deallocate() }
        }
        cost.initialize(repeating: .max, count: n + 1)
        fromLength.initialize(repeating: 0, count: n + 1)
        fromDistance.initialize(repeating: 0, count: n + 1)
        recent0.initialize(repeating: 0, count: n + 1)
        recent1.initialize(repeating: 0, count: n + 1)
        head.initialize(repeating: -1, count: 1 << hashBits)
        previous.initialize(repeating: -1, count: max(1, hashes.count))
        cost[0] = 0
        recent0[0] = Int32(truncatingIfNeeded: min(w, CopyCoder.maxValue))
        recent1[0] = 1
        let shift = UInt32(32 - hashBits)
        // Candidates of one pixel: distance, kind, price without the length, length; `order` sorts them.
        let capacity = chainLimit + 4
        let scratch = UnsafeMutablePointer<Int>.allocate(capacity: 5 * capacity)
        defer { scratch.deallocate() }
        let distances = scratch, kinds = scratch + capacity, candidatePrices = scratch + 2 * capacity
        let lengths = scratch + 3 * capacity, order = scratch + 4 * capacity
        let literalCosts = self.literalCosts
        // New distances' prices, tabled for the nearer ones.
        let tabled = min(n, 1 << 16)
        let distancePrices = (0...tabled).map { $0 == 0 ? 0 : prices.kind[3] + prices.distancePrice($0, width: w) }
        keys.withUnsafeBufferPointer { k in
            distancePrices.withUnsafeBufferPointer { distancePrices in
                literalCosts.withUnsafeBufferPointer { literalCosts in
                    hashes.withUnsafeBufferPointer { hashes in
                        @inline(__always) func matchLength(_ p: Int, _ d: Int, _ limit: Int) -> Int {
                            var l = 0
                            while l < limit && k[p + l] == k[p - d + l] { l += 1 }
                            return l
                        }
                        var inserted = 0
                        var p = 0
                        while p < n {
                            while inserted < p {
                                if inserted < hashes.count {
                                    let h = Int(hashes[inserted] >> shift)
                                    previous[inserted] = head[h]
                                    head[h] = Int32(inserted)
                                }
                                inserted += 1
                            }
                            let base = cost[p]
                            let literal = base + Int(literalCosts[p]) + prices.kind[0]
                            if literal < cost[p + 1] {
                                cost[p + 1] = literal
                                fromLength[p + 1] = 1
                                fromDistance[p + 1] = 0
                                recent0[p + 1] = recent0[p]
                                recent1[p + 1] = recent1[p]
                            }
                            let r0 = Int(recent0[p]), r1 = Int(recent1[p])
                            let limit = min(Self.niceLength, n - p)
                            var count = 0
                            var special = 0
                            var longest = 0
                            var longestPrice = Int.max
                            // Adds distance d (unless out of range or among the first `special`, the fixed candidates;
                            // the hash chain's distances differ from each other) with its match length, unless the
                            // longest candidate so far is as long and no dearer (then d could not be better).
                            @inline(__always) func add(_ d: Int) {
                                guard d >= 1, d <= p, d <= CopyCoder.maxValue else { return }
                                for c in 0..<special where distances[c] == d { return }
                                let kind = d == r0 ? 1 : d == r1 ? 2 : 3
                                let price =
                                    kind != 3
                                    ? prices.kind[kind]
                                    : d <= tabled ? distancePrices[d] : prices.kind[3] + prices.distancePrice(d, width: w)
                                if price >= longestPrice && (longest >= limit || k[p + longest] != k[p - d + longest]) { return }
                                var l = matchLength(p, d, limit)
                                guard l > 0, l > longest || price < longestPrice else { return }
                                if l > longest || (l == longest && price < longestPrice) { (longest, longestPrice) = (l, price) }
                                if l == Self.niceLength { l += matchLength(p + l, d, min(n - p, CopyCoder.maxValue) - l) }
                                distances[count] = d
                                kinds[count] = kind
                                candidatePrices[count] = price
                                lengths[count] = l
                                count += 1
                            }
                            add(r0)
                            special = count
                            add(r1)
                            special = count
                            add(1)
                            special = count
                            add(w)
                            special = count
                            if p < hashes.count {
                                var q = Int(head[Int(hashes[p] >> shift)])
                                var steps = 0
                                while q >= 0 && steps < chainLimit {
                                    if hashes[q] == hashes[p] { add(p - q) }
                                    q = Int(previous[q])
                                    steps += 1
                                }
                            }
                            guard count > 0 else {
                                p += 1
                                continue
                            }
                            @inline(__always) func reach(_ length: Int, _ c: Int, _ total: Int) {
                                if total < cost[p + length] {
                                    let d = distances[c]
                                    cost[p + length] = total
                                    fromLength[p + length] = Int32(length)
                                    fromDistance[p + length] = Int32(d)
                                    switch kinds[c] {
                                    case 1: recent0[p + length] = Int32(r0); recent1[p + length] = Int32(r1)
                                    case 2: recent0[p + length] = Int32(r1); recent1[p + length] = Int32(r0)
                                    default: recent0[p + length] = Int32(d); recent1[p + length] = Int32(r0)
                                    }
                                }
                            }
                            // Candidates by price (then by order found), insertion sort.
                            for c in 0..<count {
                                var j = c
                                while j > 0 && candidatePrices[order[j - 1]] > candidatePrices[c] {
                                    order[j] = order[j - 1]
                                    j -= 1
                                }
                                order[j] = c
                            }
                            longest = 0
                            for c in 1..<count where lengths[c] > lengths[longest] { longest = c }
                            if lengths[longest] >= Self.niceLength {
                                // A long copy (the cheapest of the longest): take it, skip its pixels.
                                var c = longest
                                for j in 0..<count where lengths[order[j]] == lengths[longest] {
                                    c = order[j]
                                    break
                                }
                                reach(lengths[c], c, base + candidatePrices[c] + prices.lengthPrice(kind: kinds[c], lengths[c]))
                                p += lengths[c]
                                continue
                            }
                            // Each length by the cheapest candidate that reaches it.
                            var covered = 0
                            for j in 0..<count where lengths[order[j]] > covered {
                                let c = order[j]
                                let (kind, price) = (kinds[c], base + candidatePrices[c])
                                for length in (covered + 1)...lengths[c] {
                                    reach(length, c, price + prices.lengthPrice(kind: kind, length))
                                }
                                covered = lengths[c]
                            }
                            p += 1
                        }
                    }
                }
            }
        }
        var plan: [CopyMatch] = []
        var q = n
        while q > 0 {
            let length = Int(fromLength[q])
            if fromDistance[q] > 0 { plan.append(CopyMatch(start: q - length, length: length, distance: Int(fromDistance[q]))) }
            q -= length
        }
        return (plan.reversed(), cost[n])
    }
}
