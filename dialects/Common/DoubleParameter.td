//===- DoubleParameter.td - real-valued attribute parameter -*- tablegen -*-===//
//
// MLIR has no FieldParser for floats; bandwidths and recompute ratios are
// real numbers, so both dialects share this parameter. It stores an f64
// APFloat because storage uniquing needs hash_value, which double lacks.
//
//===----------------------------------------------------------------------===//

#ifndef VTILE_COMMON_DOUBLEPARAMETER_TD
#define VTILE_COMMON_DOUBLEPARAMETER_TD

include "mlir/IR/AttrTypeBase.td"

class DoubleParameter<string desc> : APFloatParameter<desc> {
  let parser = [{ ::vtile::parseDouble($_parser) }];
  let printer = [{ ::vtile::printDouble($_printer, $_self) }];
}

#endif // VTILE_COMMON_DOUBLEPARAMETER_TD
