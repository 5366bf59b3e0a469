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
    static let chainLimit = 24
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
        /// Per kind − 1 and token: a length token and its raw bits.
        var length = [[Int]](repeating: [Int](repeating: 0, count: CopyCoder.tokenAlphabet), count: 3)
        var row = [Int](repeating: 0, count: CopyCoder.tokenAlphabet)
        /// Per min(dy, 2) and token: a column token and its raw bits.
        var column = [[Int]](repeating: [Int](repeating: 0, count: CopyCoder.tokenAlphabet), count: 3)

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
            length = lengths.map { prices($0, rawBits: true) }
            row = prices(rows, rawBits: true)
            column = columns.map { prices($0, rawBits: true) }
        }

        /// The first guess: copies rare (about 1 in 100 kind symbols), tokens uniform.
        static let guess = Prices(
            kinds: [4000, 20, 5, 20], lengths: .init(repeating: .init(repeating: 0, count: CopyCoder.tokenAlphabet), count: 3),
            rows: .init(repeating: 0, count: CopyCoder.tokenAlphabet),
            columns: .init(repeating: .init(repeating: 0, count: CopyCoder.tokenAlphabet), count: 3))

        @inline(__always)
        func lengthPrice(kind: Int, _ length: Int) -> Int { self.length[kind - 1][ExponentToken.split(length - 1).token] }

        /// The price of a new distance's offsets in rows of `width`.
        @inline(__always)
        func distancePrice(_ distance: Int, width: Int) -> Int {
            let (dy, dx) = CopyCoder.offsets(of: distance, width: width)
            return row[ExponentToken.split(dy).token]
                + column[min(dy, 2)][ExponentToken.split(CopyCoder.columnValue(dy: dy, dx: dx)).token]
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
                var h: UInt32 = 0x811C_9DC5
                for j in 0..<keyLength { h = (h ^ k[p + j]) &* 0x0100_0193 }
                hashes[p] = h ^ (h >> 15)
            }
        }
        return hashes
    }

    /// One pass of the dynamic programme under `prices`.
    private func parse(prices: Prices, hashes: [UInt32]) -> (plan: [CopyMatch], cost: Int) {
        let n = keys.count
        let w = width
        var cost = [Int](repeating: .max, count: n + 1)
        var recent0 = [Int32](repeating: 0, count: n + 1), recent1 = [Int32](repeating: 0, count: n + 1)
        var fromLength = [Int32](repeating: 0, count: n + 1), fromDistance = [Int32](repeating: 0, count: n + 1)
        cost[0] = 0
        recent0[0] = Int32(truncatingIfNeeded: min(w, CopyCoder.maxValue))
        recent1[0] = 1
        var hashBits = 10
        while hashBits < 20 && 1 << hashBits < n { hashBits += 1 }
        var head = [Int32](repeating: -1, count: 1 << hashBits)
        var previous = [Int32](repeating: -1, count: max(1, hashes.count))
        let mask = UInt32((1 << hashBits) - 1)
        // Candidates of one pixel: distance, kind, price without the length, length.
        var candidates: [(distance: Int, kind: Int, price: Int, length: Int)] = []
        candidates.reserveCapacity(Self.chainLimit + 4)
        keys.withUnsafeBufferPointer { k in
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
                        let h = Int(hashes[inserted] & mask)
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
                candidates.removeAll(keepingCapacity: true)
                @inline(__always) func add(_ d: Int) {
                    guard d >= 1, d <= p, d <= CopyCoder.maxValue else { return }
                    for c in candidates where c.distance == d { return }
                    let kind = d == r0 ? 1 : d == r1 ? 2 : 3
                    let price = prices.kind[kind] + (kind == 3 ? prices.distancePrice(d, width: w) : 0)
                    candidates.append((d, kind, price, 0))
                }
                add(r0)
                add(r1)
                add(1)
                add(w)
                if p < hashes.count {
                    var q = Int(head[Int(hashes[p] & mask)])
                    var steps = 0
                    while q >= 0 && steps < Self.chainLimit {
                        add(p - q)
                        q = Int(previous[q])
                        steps += 1
                    }
                }
                let limit = min(Self.niceLength, n - p)
                var longest = -1
                for c in candidates.indices {
                    var l = matchLength(p, candidates[c].distance, limit)
                    if l == Self.niceLength {
                        l += matchLength(p + l, candidates[c].distance, min(n - p, CopyCoder.maxValue) - l)
                    }
                    candidates[c].length = l
                    if longest < 0 || l > candidates[longest].length
                        || (l == candidates[longest].length && candidates[c].price < candidates[longest].price)
                    {
                        longest = c
                    }
                }
                @inline(__always) func reach(_ length: Int, _ c: Int, _ total: Int) {
                    if total < cost[p + length] {
                        let d = candidates[c].distance
                        cost[p + length] = total
                        fromLength[p + length] = Int32(length)
                        fromDistance[p + length] = Int32(d)
                        switch candidates[c].kind {
                        case 1: recent0[p + length] = Int32(r0); recent1[p + length] = Int32(r1)
                        case 2: recent0[p + length] = Int32(r1); recent1[p + length] = Int32(r0)
                        default: recent0[p + length] = Int32(d); recent1[p + length] = Int32(r0)
                        }
                    }
                }
                if longest >= 0 && candidates[longest].length >= Self.niceLength {
                    // A long copy: take it, skip its pixels.
                    let c = candidates[longest]
                    reach(c.length, longest, base + c.price + prices.lengthPrice(kind: c.kind, c.length))
                    p += c.length
                    continue
                }
                // Each length by the cheapest candidate that reaches it.
                var order = Array(candidates.indices)
                order.sort { (candidates[$0].price, $0) < (candidates[$1].price, $1) }
                var covered = 0
                for c in order where candidates[c].length > covered {
                    let (kind, price) = (candidates[c].kind, base + candidates[c].price)
                    for length in (covered + 1)...candidates[c].length {
                        reach(length, c, price + prices.lengthPrice(kind: kind, length))
                    }
                    covered = candidates[c].length
                }
                p += 1
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
