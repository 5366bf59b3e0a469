import Imaging

extension ImageLimits {
    /// Checks one container image of `width × height` (both ≥ 1) against these limits and adds its pixels
    /// to `totalPixels`, the running sum over the container's images.
    /// - Returns: the image's pixel count.
    /// - Throws: `ContainerError.invalidField` for an empty side, `ContainerError.limitExceeded` beyond a limit.
    func admitContainerImage(width: Int, height: Int, totalPixels: inout Int) throws -> Int {
        guard width >= 1, height >= 1 else { throw ContainerError.invalidField("empty image") }
        // Two 32-bit sides can multiply beyond Int.max (found by fuzzing): multiply with an overflow check.
        let (pixels, tooMany) = width.multipliedReportingOverflow(by: height)
        guard !tooMany, pixels <= maxPixels else {
            throw ContainerError.limitExceeded("image of \(width)×\(height) pixels (limit \(maxPixels))")
        }
        let (sum, overflow) = totalPixels.addingReportingOverflow(pixels)
        totalPixels = sum
        guard !overflow, totalPixels <= maxTotalPixels else {
            throw ContainerError.limitExceeded("more than \(maxTotalPixels) pixels in all")
        }
        return pixels
    }
}

extension ImageLimits {
    /// Checks `work` pixel-steps against what these limits allow a payload of `payloadBytes` bytes.
    /// - Throws: `ContainerError.workLimitExceeded`.
    public func admitWork(_ work: Int, payloadBytes: Int) throws {
        let allowed = workAllowance(payloadBytes: payloadBytes)
        guard work <= allowed else { throw ContainerError.workLimitExceeded(work: work, allowed: allowed) }
    }
}
