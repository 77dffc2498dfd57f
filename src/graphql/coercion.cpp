#include "fraiseql/graphql/coercion.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>

#include "fraiseql/graphql/printer.hpp"

#include "js_number.hpp"

namespace fraiseql::graphql {

using nlohmann::json;

// ---------------------------------------------------------------------------------------
// inspect()

namespace {

constexpr std::size_t kMaxArrayLength = 10;
constexpr std::size_t kMaxRecursiveDepth = 2;

void inspect_into(std::string& out, const json& v, std::size_t depth) {
  switch (v.type()) {
    case json::value_t::null: out.append("null"); return;
    case json::value_t::boolean: out.append(v.get<bool>() ? "true" : "false"); return;
    case json::value_t::number_integer: out.append(std::to_string(v.get<int64_t>())); return;
    case json::value_t::number_unsigned: out.append(std::to_string(v.get<uint64_t>())); return;
    case json::value_t::number_float: out.append(js_number_to_string(v.get<double>())); return;
    case json::value_t::string: out.append(v.dump()); return;
    case json::value_t::array: {
      if (v.empty()) {
        out.append("[]");
        return;
      }
      if (depth > kMaxRecursiveDepth) {
        out.append("[Array]");
        return;
      }
      out.push_back('[');
      const std::size_t shown = std::min(v.size(), kMaxArrayLength);
      for (std::size_t i = 0; i < shown; ++i) {
        if (i > 0) out.append(", ");
        inspect_into(out, v[i], depth + 1);
      }
      const std::size_t rest = v.size() - shown;
      if (rest == 1) out.append(", ... 1 more item");
      if (rest > 1) out.append(", ... ").append(std::to_string(rest)).append(" more items");
      out.push_back(']');
      return;
    }
    case json::value_t::object: {
      if (v.empty()) {
        out.append("{}");
        return;
      }
      if (depth > kMaxRecursiveDepth) {
        out.append("[Object]");
        return;
      }
      out.append("{ ");
      bool first = true;
      for (auto it = v.begin(); it != v.end(); ++it) {
        if (!first) out.append(", ");
        first = false;
        out.append(it.key()).append(": ");
        inspect_into(out, it.value(), depth + 1);
      }
      out.append(" }");
      return;
    }
    default: out.append("undefined"); return;
  }
}

}  // namespace

std::string inspect(const json& value) {
  std::string out;
  inspect_into(out, value, 1);
  return out;
}

// ---------------------------------------------------------------------------------------
// Scalars

namespace {

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool two_digits(std::string_view s, std::size_t at, int& out) {
  if (at + 2 > s.size() || !all_digits(s.substr(at, 2))) return false;
  out = (s[at] - '0') * 10 + (s[at + 1] - '0');
  return true;
}

int days_in_month(int year, int month) {
  static constexpr int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month == 2 && ((year % 4 == 0 && year % 100 != 0) || year % 400 == 0)) return 29;
  return kDays[month - 1];
}

// RFC 3339 full-date: YYYY-MM-DD with a real day of month.
bool valid_full_date(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-' || !all_digits(s.substr(0, 4))) return false;
  const int year = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
  int month = 0;
  int day = 0;
  if (!two_digits(s, 5, month) || !two_digits(s, 8, day)) return false;
  return month >= 1 && month <= 12 && day >= 1 && day <= days_in_month(year, month);
}

// RFC 3339 date-time: full-date "T" HH:MM:SS[.frac] ("Z" / ±HH:MM).
bool valid_date_time(std::string_view s) {
  if (s.size() < 20 || !valid_full_date(s.substr(0, 10))) return false;
  if (s[10] != 'T' && s[10] != 't') return false;
  int h = 0;
  int m = 0;
  int sec = 0;
  if (!two_digits(s, 11, h) || s[13] != ':' || !two_digits(s, 14, m) || s[16] != ':' ||
      !two_digits(s, 17, sec)) {
    return false;
  }
  if (h > 23 || m > 59 || sec > 60) return false;
  std::size_t i = 19;
  if (i < s.size() && s[i] == '.') {
    const std::size_t start = ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    if (i == start) return false;
  }
  if (i >= s.size()) return false;
  if (s[i] == 'Z' || s[i] == 'z') return i + 1 == s.size();
  if (s[i] != '+' && s[i] != '-') return false;
  int oh = 0;
  int om = 0;
  if (i + 6 != s.size() || !two_digits(s, i + 1, oh) || s[i + 3] != ':' || !two_digits(s, i + 4, om))
    return false;
  return oh <= 23 && om <= 59;
}

bool valid_uuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return false;
    } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
      return false;
    }
  }
  return true;
}

// -?digits[.digits][(e|E)[+-]digits], the text PostgreSQL's numeric accepts (minus NaN).
bool valid_decimal(std::string_view s) {
  std::size_t i = 0;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
  const std::size_t int_start = i;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
  bool digits = i > int_start;
  if (i < s.size() && s[i] == '.') {
    const std::size_t frac = ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    digits = digits || i > frac;
  }
  if (!digits) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    const std::size_t exp = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    if (i == exp) return false;
  }
  return i == s.size();
}

bool parse_int64(std::string_view s, int64_t& out) {
  if (s.starts_with('+')) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc{} && p == s.data() + s.size();
}

/// A JSON number that is an integer (JS Number.isInteger), as int64 when it fits.
enum class IntCheck { kNotInteger, kOutOfRange, kOk };
IntCheck json_integer(const json& v, int64_t& out) {
  if (v.is_number_integer()) {
    out = v.get<int64_t>();
    return IntCheck::kOk;
  }
  if (v.is_number_unsigned()) {
    const auto u = v.get<uint64_t>();
    if (u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return IntCheck::kOutOfRange;
    out = static_cast<int64_t>(u);
    return IntCheck::kOk;
  }
  if (v.is_number_float()) {
    const double d = v.get<double>();
    if (!std::isfinite(d) || std::trunc(d) != d) return IntCheck::kNotInteger;
    if (d < -9223372036854775808.0 || d >= 9223372036854775808.0) return IntCheck::kOutOfRange;
    out = static_cast<int64_t>(d);
    return IntCheck::kOk;
  }
  return IntCheck::kNotInteger;
}

bool in_int32(int64_t v) {
  return v >= std::numeric_limits<int32_t>::min() && v <= std::numeric_limits<int32_t>::max();
}

json untyped_literal(const Value& v, const json* variables) {
  switch (v.kind) {
    case NodeKind::kNullValue: return nullptr;
    case NodeKind::kIntValue: {
      int64_t i = 0;
      if (parse_int64(static_cast<const IntValue&>(v).raw, i)) return i;
      return std::strtod(std::string(static_cast<const IntValue&>(v).raw).c_str(), nullptr);
    }
    case NodeKind::kFloatValue:
      return std::strtod(std::string(static_cast<const FloatValue&>(v).raw).c_str(), nullptr);
    case NodeKind::kStringValue: return std::string(static_cast<const StringValue&>(v).value);
    case NodeKind::kBooleanValue: return static_cast<const BooleanValue&>(v).value;
    case NodeKind::kEnumValue: return std::string(static_cast<const EnumValue&>(v).value);
    case NodeKind::kListValue: {
      json a = json::array();
      for (const Value* item : static_cast<const ListValue&>(v).values)
        a.push_back(untyped_literal(*item, variables));
      return a;
    }
    case NodeKind::kObjectValue: {
      json o = json::object();
      for (const ObjectField* f : static_cast<const ObjectValue&>(v).fields) {
        o[std::string(f->name.value)] = untyped_literal(*f->value, variables);
      }
      return o;
    }
    case NodeKind::kVariable: {
      const std::string name(static_cast<const Variable&>(v).name.value);
      if (variables != nullptr && variables->is_object() && variables->contains(name))
        return (*variables)[name];
      return nullptr;
    }
    default: return nullptr;
  }
}

std::optional<std::string> coerce_scalar_value(const TypeDef& t, const json& in, json& out) {
  const std::string_view n = t.name;
  if (n == "Int") {
    int64_t i = 0;
    switch (json_integer(in, i)) {
      case IntCheck::kNotInteger: return "Int cannot represent non-integer value: " + inspect(in);
      case IntCheck::kOutOfRange:
        return "Int cannot represent non 32-bit signed integer value: " + inspect(in);
      case IntCheck::kOk: break;
    }
    if (!in_int32(i)) return "Int cannot represent non 32-bit signed integer value: " + inspect(in);
    out = i;
    return std::nullopt;
  }
  if (n == "Float") {
    if (!in.is_number() || !std::isfinite(in.get<double>()))
      return "Float cannot represent non numeric value: " + inspect(in);
    out = in.get<double>();
    return std::nullopt;
  }
  if (n == "String") {
    if (!in.is_string()) return "String cannot represent a non string value: " + inspect(in);
    out = in;
    return std::nullopt;
  }
  if (n == "Boolean") {
    if (!in.is_boolean()) return "Boolean cannot represent a non boolean value: " + inspect(in);
    out = in;
    return std::nullopt;
  }
  if (n == "ID") {
    int64_t i = 0;
    if (in.is_string()) {
      out = in;
    } else if (in.is_number() && json_integer(in, i) == IntCheck::kOk) {
      out = std::to_string(i);
    } else {
      return "ID cannot represent value: " + inspect(in);
    }
    return std::nullopt;
  }
  if (n == "DateTime") {
    if (!in.is_string()) return "DateTime cannot represent a non string value: " + inspect(in);
    if (!valid_date_time(in.get_ref<const std::string&>())) {
      return "DateTime cannot represent an invalid date-time string: " + inspect(in) +
             "; expected RFC 3339, e.g. \"2024-05-01T12:30:00Z\"";
    }
    out = in;
    return std::nullopt;
  }
  if (n == "Date") {
    if (!in.is_string()) return "Date cannot represent a non string value: " + inspect(in);
    if (!valid_full_date(in.get_ref<const std::string&>())) {
      return "Date cannot represent an invalid date string: " + inspect(in) + "; expected YYYY-MM-DD";
    }
    out = in;
    return std::nullopt;
  }
  if (n == "UUID") {
    if (!in.is_string()) return "UUID cannot represent a non string value: " + inspect(in);
    if (!valid_uuid(in.get_ref<const std::string&>()))
      return "UUID cannot represent an invalid UUID string: " + inspect(in);
    out = in;
    return std::nullopt;
  }
  if (n == "BigInt") {
    int64_t i = 0;
    if (in.is_string()) {
      if (!parse_int64(in.get_ref<const std::string&>(), i)) {
        return all_digits(std::string_view(in.get_ref<const std::string&>())
                              .substr(in.get_ref<const std::string&>().starts_with('-') ? 1 : 0))
                   ? "BigInt cannot represent non 64-bit signed integer value: " + inspect(in)
                   : "BigInt cannot represent non-integer value: " + inspect(in);
      }
    } else {
      switch (json_integer(in, i)) {
        case IntCheck::kNotInteger: return "BigInt cannot represent non-integer value: " + inspect(in);
        case IntCheck::kOutOfRange:
          return "BigInt cannot represent non 64-bit signed integer value: " + inspect(in);
        case IntCheck::kOk: break;
      }
    }
    out = i;
    return std::nullopt;
  }
  if (n == "Decimal") {
    if (in.is_number()) {
      if (in.is_number_float() && !std::isfinite(in.get<double>())) {
        return "Decimal cannot represent non-decimal value: " + inspect(in);
      }
      out = in.dump();
      return std::nullopt;
    }
    if (!in.is_string() || !valid_decimal(in.get_ref<const std::string&>())) {
      return "Decimal cannot represent non-decimal value: " + inspect(in);
    }
    out = in;
    return std::nullopt;
  }
  // JSON and schema-defined scalars: any value, unchanged (graphql-js custom scalars).
  out = in;
  return std::nullopt;
}

std::optional<std::string> coerce_scalar_literal(const TypeDef& t, const Value& v, json& out) {
  const std::string_view n = t.name;
  if (n == "Int") {
    const auto* i = as<IntValue>(&v);
    if (i == nullptr) return "Int cannot represent non-integer value: " + print(v);
    int64_t x = 0;
    if (!parse_int64(i->raw, x) || !in_int32(x)) {
      return "Int cannot represent non 32-bit signed integer value: " + std::string(i->raw);
    }
    out = x;
    return std::nullopt;
  }
  if (n == "Float") {
    if (!is<IntValue>(&v) && !is<FloatValue>(&v))
      return "Float cannot represent non numeric value: " + print(v);
    const double d = std::strtod(print(v).c_str(), nullptr);
    if (!std::isfinite(d)) return "Float cannot represent non numeric value: " + print(v);
    out = d;
    return std::nullopt;
  }
  if (n == "String") {
    const auto* s = as<StringValue>(&v);
    if (s == nullptr) return "String cannot represent a non string value: " + print(v);
    out = std::string(s->value);
    return std::nullopt;
  }
  if (n == "Boolean") {
    const auto* b = as<BooleanValue>(&v);
    if (b == nullptr) return "Boolean cannot represent a non boolean value: " + print(v);
    out = b->value;
    return std::nullopt;
  }
  if (n == "ID") {
    if (const auto* s = as<StringValue>(&v)) {
      out = std::string(s->value);
    } else if (const auto* i = as<IntValue>(&v)) {
      out = std::string(i->raw);
    } else {
      return "ID cannot represent a non-string and non-integer value: " + print(v);
    }
    return std::nullopt;
  }
  if (n == "DateTime" || n == "Date" || n == "UUID") {
    const auto* s = as<StringValue>(&v);
    if (s == nullptr) return std::string(n) + " cannot represent a non string value: " + print(v);
    return coerce_scalar_value(t, json(std::string(s->value)), out);
  }
  if (n == "BigInt") {
    if (const auto* i = as<IntValue>(&v)) {
      int64_t x = 0;
      if (!parse_int64(i->raw, x))
        return "BigInt cannot represent non 64-bit signed integer value: " + std::string(i->raw);
      out = x;
      return std::nullopt;
    }
    if (const auto* s = as<StringValue>(&v)) return coerce_scalar_value(t, json(std::string(s->value)), out);
    return "BigInt cannot represent non-integer value: " + print(v);
  }
  if (n == "Decimal") {
    if (const auto* i = as<IntValue>(&v)) {
      out = std::string(i->raw);
      return std::nullopt;
    }
    if (const auto* f = as<FloatValue>(&v)) {
      out = std::string(f->raw);
      return std::nullopt;
    }
    if (const auto* s = as<StringValue>(&v)) return coerce_scalar_value(t, json(std::string(s->value)), out);
    return "Decimal cannot represent non-decimal value: " + print(v);
  }
  out = untyped_literal(v, nullptr);
  return std::nullopt;
}

}  // namespace

std::optional<std::string> coerce_leaf_value(const TypeDef& type, const json& input, json& out) {
  if (type.kind == TypeKind::kEnum) {
    if (!input.is_string()) {
      return "Enum \"" + std::string(type.name) + "\" cannot represent non-string value: " + inspect(input) +
             ".";
    }
    const auto& s = input.get_ref<const std::string&>();
    if (type.enum_value(s) == nullptr) {
      return "Value \"" + s + "\" does not exist in \"" + std::string(type.name) + "\" enum.";
    }
    out = input;
    return std::nullopt;
  }
  return coerce_scalar_value(type, input, out);
}

std::optional<std::string> coerce_leaf_literal(const TypeDef& type, const Value& literal, json& out) {
  if (type.kind == TypeKind::kEnum) {
    const auto* e = as<EnumValue>(&literal);
    if (e == nullptr) {
      return "Enum \"" + std::string(type.name) + "\" cannot represent non-enum value: " + print(literal) +
             ".";
    }
    if (type.enum_value(e->value) == nullptr) {
      return "Value \"" + std::string(e->value) + "\" does not exist in \"" + std::string(type.name) +
             "\" enum.";
    }
    out = std::string(e->value);
    return std::nullopt;
  }
  return coerce_scalar_literal(type, literal, out);
}

// ---------------------------------------------------------------------------------------
// coerceInputValue

namespace {

bool coerce_input(const json& input, TypeRef type, json& out, std::vector<InputCoercionError>& errors,
                  const std::string& path) {
  if (type.is_non_null()) {
    if (!input.is_null()) return coerce_input(input, type.of_type(), out, errors, path);
    errors.push_back(
        {path, input, "Expected non-nullable type \"" + type.to_string() + "\" not to be null."});
    return false;
  }
  if (input.is_null()) {
    out = nullptr;
    return true;
  }
  if (type.is_list()) {
    const TypeRef item = type.of_type();
    out = json::array();
    bool ok = true;
    if (input.is_array()) {
      for (std::size_t i = 0; i < input.size(); ++i) {
        json v;
        ok = coerce_input(input[i], item, v, errors, path + "[" + std::to_string(i) + "]") && ok;
        out.push_back(std::move(v));
      }
    } else {
      json v;
      ok = coerce_input(input, item, v, errors, path);
      out.push_back(std::move(v));
    }
    return ok;
  }
  const TypeDef& t = type.named_type();
  if (t.kind == TypeKind::kInputObject) {
    if (!input.is_object()) {
      errors.push_back({path, input, "Expected type \"" + std::string(t.name) + "\" to be an object."});
      return false;
    }
    const std::size_t before = errors.size();
    out = json::object();
    for (const InputValueDef& f : t.input_fields) {
      const std::string name(f.name);
      auto it = input.find(name);
      if (it == input.end()) {
        if (f.default_value != nullptr) {
          if (auto d = value_from_ast(*f.default_value, f.type)) out[name] = std::move(*d);
        } else if (f.type.is_non_null()) {
          errors.push_back(
              {path, input,
               "Field \"" + name + "\" of required type \"" + f.type.to_string() + "\" was not provided."});
        }
        continue;
      }
      json v;
      if (coerce_input(*it, f.type, v, errors, path + "." + name)) out[name] = std::move(v);
    }
    for (auto it = input.begin(); it != input.end(); ++it) {
      if (t.input_field(it.key()) == nullptr) {
        errors.push_back(
            {path, input,
             "Field \"" + it.key() + "\" is not defined by type \"" + std::string(t.name) + "\"."});
      }
    }
    if (t.is_one_of && errors.size() == before) {
      if (out.size() != 1) {
        errors.push_back(
            {path, input,
             "Exactly one key must be specified for OneOf type \"" + std::string(t.name) + "\"."});
      } else if (out.begin().value().is_null()) {
        errors.push_back({path + "." + out.begin().key(), nullptr,
                          "Field \"" + out.begin().key() + "\" must be non-null."});
      }
    }
    return errors.size() == before;
  }
  if (auto msg = coerce_leaf_value(t, input, out)) {
    errors.push_back({path, input, std::move(*msg)});
    return false;
  }
  return true;
}

}  // namespace

bool coerce_input_value(const json& input, TypeRef type, json& out, std::vector<InputCoercionError>& errors) {
  if (type.empty()) return false;
  return coerce_input(input, type, out, errors, "");
}

// ---------------------------------------------------------------------------------------
// Literals

void validate_literal(const Value& value, TypeRef type, std::vector<std::string>& problems) {
  if (type.empty() || is<Variable>(&value)) return;
  if (type.is_non_null()) {
    if (is<NullValue>(&value)) {
      problems.push_back("Expected value of type \"" + type.to_string() + "\", found null.");
      return;
    }
    // The message names the location type, wrappers included.
    const TypeRef inner = type.of_type();
    if (!inner.is_list() && inner.named_type().kind == TypeKind::kInputObject && !is<ObjectValue>(&value)) {
      problems.push_back("Expected value of type \"" + type.to_string() + "\", found " + print(value) + ".");
      return;
    }
    validate_literal(value, inner, problems);
    return;
  }
  if (is<NullValue>(&value)) return;
  if (type.is_list()) {
    if (const auto* list = as<ListValue>(&value)) {
      for (const Value* v : list->values) validate_literal(*v, type.of_type(), problems);
    } else {
      validate_literal(value, type.of_type(), problems);
    }
    return;
  }
  const TypeDef& t = type.named_type();
  if (t.kind == TypeKind::kInputObject) {
    const auto* obj = as<ObjectValue>(&value);
    if (obj == nullptr) {
      problems.push_back("Expected value of type \"" + type.to_string() + "\", found " + print(value) + ".");
      return;
    }
    const std::string tn(t.name);
    for (const InputValueDef& f : t.input_fields) {
      const bool given = std::any_of(obj->fields.begin(), obj->fields.end(),
                                     [&](const ObjectField* of) { return of->name.value == f.name; });
      if (!given && f.is_required()) {
        problems.push_back("Field \"" + tn + "." + std::string(f.name) + "\" of required type \"" +
                           f.type.to_string() + "\" was not provided.");
      }
    }
    for (const ObjectField* of : obj->fields) {
      const InputValueDef* f = t.input_field(of->name.value);
      if (f == nullptr) {
        problems.push_back("Field \"" + std::string(of->name.value) + "\" is not defined by type \"" + tn +
                           "\".");
        continue;
      }
      validate_literal(*of->value, f->type, problems);
    }
    if (t.is_one_of) {
      if (obj->fields.size() != 1) {
        problems.push_back("OneOf Input Object \"" + tn + "\" must specify exactly one key.");
      } else if (is<NullValue>(obj->fields[0]->value)) {
        problems.push_back("Field \"" + tn + "." + std::string(obj->fields[0]->name.value) +
                           "\" must be non-null.");
      }
    }
    return;
  }
  json ignored;
  if (auto msg = coerce_leaf_literal(t, value, ignored)) problems.push_back(std::move(*msg));
}

std::optional<json> value_from_ast(const Value& literal, TypeRef type, const json* variables) {
  if (type.empty()) return std::nullopt;
  if (const auto* var = as<Variable>(&literal)) {
    const std::string name(var->name.value);
    if (variables == nullptr || !variables->is_object() || !variables->contains(name)) return std::nullopt;
    const json& v = (*variables)[name];
    if (v.is_null() && type.is_non_null()) return std::nullopt;
    return v;
  }
  if (type.is_non_null()) {
    if (is<NullValue>(&literal)) return std::nullopt;
    return value_from_ast(literal, type.of_type(), variables);
  }
  if (is<NullValue>(&literal)) return json(nullptr);
  if (type.is_list()) {
    const TypeRef item = type.of_type();
    json out = json::array();
    if (const auto* list = as<ListValue>(&literal)) {
      for (const Value* v : list->values) {
        if (v == nullptr) return std::nullopt;  // the parser never stores one
        // A missing variable inside a list is null, unless the item type forbids it.
        if (const auto* iv = as<Variable>(v)) {
          if (variables == nullptr || !variables->contains(std::string(iv->name.value))) {
            if (item.is_non_null()) return std::nullopt;
            out.push_back(nullptr);
            continue;
          }
        }
        auto c = value_from_ast(*v, item, variables);
        if (!c) return std::nullopt;
        out.push_back(std::move(*c));
      }
      return out;
    }
    auto c = value_from_ast(literal, item, variables);
    if (!c) return std::nullopt;
    out.push_back(std::move(*c));
    return out;
  }
  const TypeDef& t = type.named_type();
  if (t.kind == TypeKind::kInputObject) {
    const auto* obj = as<ObjectValue>(&literal);
    if (obj == nullptr) return std::nullopt;
    json out = json::object();
    for (const InputValueDef& f : t.input_fields) {
      const ObjectField* given = nullptr;
      for (const ObjectField* of : obj->fields) {
        if (of->name.value == f.name) given = of;
      }
      const bool missing_var =
          given != nullptr && is<Variable>(given->value) &&
          (variables == nullptr ||
           !variables->contains(std::string(static_cast<const Variable*>(given->value)->name.value)));
      if (given == nullptr || missing_var) {
        if (f.default_value != nullptr) {
          auto d = value_from_ast(*f.default_value, f.type);
          if (!d) return std::nullopt;
          out[std::string(f.name)] = std::move(*d);
        } else if (f.type.is_non_null()) {
          return std::nullopt;
        }
        continue;
      }
      auto c = value_from_ast(*given->value, f.type, variables);
      if (!c) return std::nullopt;
      out[std::string(f.name)] = std::move(*c);
    }
    for (const ObjectField* of : obj->fields) {
      if (t.input_field(of->name.value) == nullptr) return std::nullopt;
    }
    if (t.is_one_of && (out.size() != 1 || out.begin().value().is_null())) return std::nullopt;
    return out;
  }
  json out;
  if (t.kind == TypeKind::kScalar && (t.name == "JSON" || !t.is_builtin)) {
    // Custom scalars read literals untyped, variables included.
    static constexpr std::string_view kTyped[] = {"DateTime", "Date", "UUID", "BigInt", "Decimal"};
    if (std::find(std::begin(kTyped), std::end(kTyped), t.name) == std::end(kTyped)) {
      return untyped_literal(literal, variables);
    }
  }
  if (coerce_leaf_literal(t, literal, out)) return std::nullopt;
  return out;
}

// ---------------------------------------------------------------------------------------
// CoerceVariableValues / CoerceArgumentValues

CoercedValues coerce_variable_values(const Schema& schema, const OperationDefinition& operation,
                                     const json& inputs) {
  CoercedValues result;
  static const json kEmpty = json::object();
  const json& in = inputs.is_object() ? inputs : kEmpty;
  auto fail = [&](const VariableDefinition& def, std::string message) {
    GraphQLError e;
    e.message = std::move(message);
    e.locations.push_back(def.loc);
    e.code = std::string(code::kBadUserInput);
    result.errors.push_back(std::move(e));
  };
  for (const VariableDefinition* def : operation.variable_definitions) {
    const std::string name(def->variable->name.value);
    const std::string type_text = print(*def->type);
    const TypeRef type = schema.resolve_type(*def->type);
    if (!type || !type.named_type().is_input_type()) {
      fail(*def, "Variable \"$" + name + "\" expected value of type \"" + type_text +
                     "\" which cannot be used as an input type.");
      continue;
    }
    auto it = in.find(name);
    if (it == in.end()) {
      if (def->default_value != nullptr) {
        if (auto v = value_from_ast(*def->default_value, type)) result.values[name] = std::move(*v);
      } else if (type.is_non_null()) {
        fail(*def, "Variable \"$" + name + "\" of required type \"" + type_text + "\" was not provided.");
      }
      continue;
    }
    if (it->is_null() && type.is_non_null()) {
      fail(*def, "Variable \"$" + name + "\" of non-null type \"" + type_text + "\" must not be null.");
      continue;
    }
    std::vector<InputCoercionError> problems;
    json out;
    if (coerce_input_value(*it, type, out, problems)) {
      result.values[name] = std::move(out);
      continue;
    }
    for (const auto& p : problems) {
      std::string msg = "Variable \"$" + name + "\" got invalid value " + inspect(p.invalid_value);
      if (!p.path.empty()) msg.append(" at \"").append(name).append(p.path).append("\"");
      msg.append("; ").append(p.message);
      fail(*def, std::move(msg));
    }
  }
  return result;
}

CoercedValues coerce_argument_values(std::span<const InputValueDef> defs, NodeList<Argument> arguments,
                                     const json& variables, const Node& node) {
  CoercedValues result;
  auto fail = [&](Location loc, std::string message) {
    GraphQLError e;
    e.message = std::move(message);
    e.locations.push_back(loc);
    e.code = std::string(code::kBadUserInput);
    result.errors.push_back(std::move(e));
  };
  for (const InputValueDef& def : defs) {
    const std::string name(def.name);
    const Argument* arg = nullptr;
    for (const Argument* a : arguments) {
      if (a->name.value == def.name) arg = a;
    }
    const std::string type_text = def.type.to_string();
    if (arg == nullptr) {
      if (def.default_value != nullptr) {
        if (auto v = value_from_ast(*def.default_value, def.type)) result.values[name] = std::move(*v);
      } else if (def.type.is_non_null()) {
        fail(node.loc, "Argument \"" + name + "\" of required type \"" + type_text + "\" was not provided.");
      }
      continue;
    }
    if (const auto* var = as<Variable>(arg->value)) {
      const std::string vn(var->name.value);
      if (!variables.is_object() || !variables.contains(vn)) {
        if (def.default_value != nullptr) {
          if (auto v = value_from_ast(*def.default_value, def.type)) result.values[name] = std::move(*v);
        } else if (def.type.is_non_null()) {
          fail(arg->value->loc, "Argument \"" + name + "\" of required type \"" + type_text +
                                    "\" was provided the variable \"$" + vn +
                                    "\" which was not provided a runtime value.");
        }
        continue;
      }
      if (variables[vn].is_null() && def.type.is_non_null()) {
        fail(arg->value->loc,
             "Argument \"" + name + "\" of non-null type \"" + type_text + "\" must not be null.");
        continue;
      }
      result.values[name] = variables[vn];
      continue;
    }
    if (is<NullValue>(arg->value) && def.type.is_non_null()) {
      fail(arg->value->loc,
           "Argument \"" + name + "\" of non-null type \"" + type_text + "\" must not be null.");
      continue;
    }
    auto v = value_from_ast(*arg->value, def.type, &variables);
    if (!v) {
      fail(arg->value->loc, "Argument \"" + name + "\" has invalid value " + print(*arg->value) + ".");
      continue;
    }
    result.values[name] = std::move(*v);
  }
  return result;
}

}  // namespace fraiseql::graphql
