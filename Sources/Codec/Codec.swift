import ANS
import Model
/// The bits-back codec (placeholder; see issue 5).
public enum CodecInfo {}
