/// The VDM prior (placeholder; see issue 4).
public enum ModelInfo {}
