#include "helmholtz/core/decimal.hpp"

#include <cstdlib>
#include <iomanip>
#include <sstream>

namespace helmholtz::core {

std::string shortest_decimal(double value) {
  std::string s;
  for (int precision = 6; precision <= 17; ++precision) {
    std::ostringstream out;
    out << std::setprecision(precision) << value;
    s = out.str();
    // strtod, not stod: a subnormal such as 4.9e-324 reads back with ERANGE, where stod throws.
    if (std::strtod(s.c_str(), nullptr) == value) break;
  }
  return s;
}

}  // namespace helmholtz::core
