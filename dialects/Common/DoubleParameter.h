//===- DoubleParameter.h - parse/print real attribute parameters -*- C++ -*-===//

#ifndef VTILE_COMMON_DOUBLEPARAMETER_H
#define VTILE_COMMON_DOUBLEPARAMETER_H

#include "llvm/ADT/APFloat.h"
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include "mlir/IR/OpImplementation.h"

namespace vtile {

inline mlir::FailureOr<llvm::APFloat> parseDouble(mlir::AsmParser &parser) {
  double value;
  if (parser.parseFloat(value))
    return mlir::failure();
  return llvm::APFloat(value);
}

/// The shortest text that parses back to the same double ("0.4", not
/// "0.40000000000000002"), with a decimal point before any exponent, since
/// MLIR's lexer reads "1e-05" as an integer followed by an identifier.
inline std::string formatDouble(double number) {
  char text[32];
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(text, sizeof(text), "%.*g", precision, number);
    if (std::strtod(text, nullptr) == number)
      break;
  }
  std::string printed(text);
  if (!std::isfinite(number) || printed.find('.') != std::string::npos)
    return printed;
  printed.insert(std::min(printed.find('e'), printed.size()), ".0");
  return printed;
}

inline void printDouble(mlir::AsmPrinter &printer, const llvm::APFloat &value) {
  printer << formatDouble(value.convertToDouble());
}

} // namespace vtile

#endif // VTILE_COMMON_DOUBLEPARAMETER_H
