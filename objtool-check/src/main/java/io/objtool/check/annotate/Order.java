package io.objtool.check.annotate;

/**
 * Finish order of this package's passes (ORC, at 1000, comes last): the reference validates
 * UNRET, IBT and SLS after the walk, then writes its sections in this order.
 */
final class Order {
  private Order() {}

  static final int UNRET = 910;
  static final int IBT = 920;
  static final int SLS = 930;
  static final int STATIC_CALL = 940;
  static final int RETPOLINE_SITES = 950;
  static final int CFI = 960;
  static final int RETURN_SITES = 970;
  static final int MCOUNT = 980;
  static final int PREFIX = 985;
  static final int IBT_SEAL = 990;
}
