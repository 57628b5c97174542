// Thai digits, as official documents number pages, measures and amounts.
#pragma once

#include <string>
#include <string_view>

namespace saraban::text {

// "123" -> "๑๒๓": ASCII digits to Thai digits, everything else unchanged.
std::string ThaiDigits(std::string_view ascii);

}  // namespace saraban::text
