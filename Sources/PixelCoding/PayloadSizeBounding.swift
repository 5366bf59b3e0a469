import Imaging
/// A coder that can tell, at a fraction of its coding cost, that its payload for some images would be
/// larger than a given size, so that a choice among coders (`vdmz compress --coder auto`) can leave it out.
///
/// Contract: `payloadSurelyExceeds(bytes, for:)` returns true only when the coder's payload for `images`
/// is, by its estimate and beyond the estimate's measured error, larger than `bytes`; when in doubt it
/// returns false. Its answer depends only on the images, the size and the coder's own parameters.
///
/// `images` may be lazy (a dataset's model planes made one at a time): a coder reads them in order, may
/// read them more than once, and keeps no more of them at once than it needs.
public protocol PayloadSizeBounding: PixelCoder {
    func payloadSurelyExceeds<Images: Collection>(_ bytes: Int, for images: Images) throws -> Bool
    where Images.Element == ModelImage
}
