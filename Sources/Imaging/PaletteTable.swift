/// For a palette: which entries share each colour, and the rank of each entry among the entries of
/// its colour (ascending index order). Used to map a model colour back to its palette index.
struct PaletteTable {
    struct Group { var indices: [UInt8] }

    /// Number of palette entries.
    let entryCount: Int
    /// Colour key (R << 16 | G << 8 | B) → the entries with that colour, ascending.
    let groups: [UInt32: Group]
    /// Per entry: size of its colour group, and its rank in it.
    let groupSize: [Int]
    let rank: [UInt8]

    init(palette: [UInt8], bitDepth: Int) {
        entryCount = min(palette.count / 3, 1 << bitDepth)
        var groups: [UInt32: Group] = [:]
        var rank = [UInt8](repeating: 0, count: entryCount)
        for index in 0..<entryCount {
            let key = UInt32(palette[3 * index]) << 16 | UInt32(palette[3 * index + 1]) << 8 | UInt32(palette[3 * index + 2])
            rank[index] = UInt8(groups[key]?.indices.count ?? 0)
            groups[key, default: Group(indices: [])].indices.append(UInt8(index))
        }
        self.groups = groups
        self.rank = rank
        groupSize = (0..<entryCount).map { index in
            let key = UInt32(palette[3 * index]) << 16 | UInt32(palette[3 * index + 1]) << 8 | UInt32(palette[3 * index + 2])
            return groups[key]?.indices.count ?? 1
        }
    }
}
