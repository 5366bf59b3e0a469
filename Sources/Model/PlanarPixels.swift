/// Converts interleaved `[height][width][3]` pixels (PNG / .npy order) to planar `[3][height][width]`.
public func planarPixels(interleaved pixels: [UInt8], width: Int, height: Int) -> [UInt8] {
    precondition(pixels.count == 3 * width * height)
    var planar = [UInt8](repeating: 0, count: pixels.count)
    let plane = width * height
    for p in 0..<plane {
        planar[p] = pixels[3 * p]
        planar[plane + p] = pixels[3 * p + 1]
        planar[2 * plane + p] = pixels[3 * p + 2]
    }
    return planar
}
