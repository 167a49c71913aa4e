//===- DoubleParameter.h - parse/print real attribute parameters -*- C++ -*-===//

#ifndef VTILE_COMMON_DOUBLEPARAMETER_H
#define VTILE_COMMON_DOUBLEPARAMETER_H

#include "llvm/ADT/APFloat.h"
#include "llvm/ADT/SmallString.h"
#include "mlir/IR/OpImplementation.h"

namespace vtile {

inline mlir::FailureOr<llvm::APFloat> parseDouble(mlir::AsmParser &parser) {
  double value;
  if (parser.parseFloat(value))
    return mlir::failure();
  return llvm::APFloat(value);
}

/// Prints the shortest text that parses back to the same double, always with
/// a decimal point so that it reads as a real number ("64.0", "1.25").
inline void printDouble(mlir::AsmPrinter &printer, const llvm::APFloat &value) {
  llvm::SmallString<24> text;
  value.toString(text);
  if (text.find_first_of(".eEn") == llvm::StringRef::npos)
    text += ".0";
  printer << text;
}

} // namespace vtile

#endif // VTILE_COMMON_DOUBLEPARAMETER_H
