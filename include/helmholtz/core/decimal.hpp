#pragma once
// Numbers as text that reads back exactly: what config files, identities and messages print.

#include <string>

namespace helmholtz::core {

// The shortest decimal (6 to 17 significant digits) that parses back to the same double:
// 0.01 -> "0.01", 1e-06 -> "1e-06", 0.123456789 -> "0.123456789".
std::string shortest_decimal(double value);

}  // namespace helmholtz::core
