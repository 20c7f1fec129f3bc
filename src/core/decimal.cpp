#include "helmholtz/core/decimal.hpp"

#include <iomanip>
#include <sstream>

namespace helmholtz::core {

std::string shortest_decimal(double value) {
  std::string s;
  for (int precision = 6; precision <= 17; ++precision) {
    std::ostringstream out;
    out << std::setprecision(precision) << value;
    s = out.str();
    if (std::stod(s) == value) break;
  }
  return s;
}

}  // namespace helmholtz::core
