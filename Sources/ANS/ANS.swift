/// The rANS stack coder (placeholder; see issue 2).
public enum ANS {}
