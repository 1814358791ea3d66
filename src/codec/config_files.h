// Parsers for the configuration text formats AWS tools read: `.env` files
// and INI files (~/.aws/config, ~/.aws/credentials). Shared by the client's
// credential chain and the server's --credentials-file.
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace sluice::codec {

// .env: KEY=VALUE lines; optional "export "; '#' comment lines and " #"
// comments after unquoted values; 'single' quotes literal, "double" quotes
// with \n \t \" \\ escapes; later keys win.
std::map<std::string, std::string> ParseDotEnv(std::string_view text);

// An INI file as botocore (configparser) reads it: "[section]", "key = value"
// or "key: value", keys lower-cased, '#'/';' comment lines. An indented line
// continues the previous value; a value that starts on the next line is a
// nested section whose "k = v" lines are returned as "<key>.<k>".
// "[profile  x]" is normalised to "[profile x]".
using IniFile = std::map<std::string, std::map<std::string, std::string>>;
IniFile ParseIni(std::string_view text);

}  // namespace sluice::codec
