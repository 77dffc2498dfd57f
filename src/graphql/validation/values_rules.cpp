// Rules about literal values: https://spec.graphql.org/October2021/#sec-Values-of-Correct-Type
// (ValuesOfCorrectType, with graphql-js's @oneOf checks and the literal parsing of the
// built-in scalars) and #sec-Input-Object-Field-Uniqueness (UniqueInputFieldNames).

#include <charconv>
#include <cstdint>

#include "fraiseql/graphql/printer.hpp"

#include "context.hpp"

namespace fraiseql::graphql::validation {

namespace {

constexpr int64_t kMaxInt = 2147483647;
constexpr int64_t kMinInt = -2147483648LL;

bool int_in_range(std::string_view raw) {
  // More than 11 characters ("-2147483648") cannot be a 32-bit integer.
  if (raw.size() > 11) return false;
  int64_t v = 0;
  auto [ptr, ec] = std::from_chars(raw.data(), raw.data() + raw.size(), v);
  return ec == std::errc() && v <= kMaxInt && v >= kMinInt;
}

}  // namespace

bool Validator::values_of_correct_type(const Value& value, const InputContext& ctx,
                                       const InputContext& outer) {
  switch (value.kind) {
    case NodeKind::kVariable: return false;
    case NodeKind::kListValue:
      // `ctx` is the item position, `outer` the list position.
      if (!outer.type.nullable().is_list()) {
        check_leaf_value(value, ctx.type);
        return true;
      }
      return false;
    case NodeKind::kObjectValue: {
      const auto& object = static_cast<const ObjectValue&>(value);
      const TypeDef* type = ctx.type ? &ctx.type.named_type() : nullptr;
      if (type == nullptr || type->kind != TypeKind::kInputObject) {
        check_leaf_value(value, ctx.type);
        return true;
      }
      for (const InputValueDef& field_def : type->input_fields) {
        if (!field_def.is_required()) continue;
        bool present = false;
        for (const ObjectField* f : object.fields) present = present || f->name.value == field_def.name;
        if (present) continue;
        report(rule::kValuesOfCorrectType,
               "Field \"" + std::string(type->name) + "." + std::string(field_def.name) +
                   "\" of required type " + quoted(field_def.type.to_string()) + " was not provided.",
               {object.loc});
      }
      if (type->is_one_of) {
        // graphql-js keys the fields by name, so a repeated name counts once (last wins).
        std::size_t distinct = 0;
        const ObjectField* only = nullptr;
        for (std::size_t i = 0; i < object.fields.size(); ++i) {
          bool repeated_later = false;
          for (std::size_t j = i + 1; j < object.fields.size() && !repeated_later; ++j) {
            repeated_later = object.fields[j]->name.value == object.fields[i]->name.value;
          }
          if (!repeated_later) {
            ++distinct;
            only = object.fields[i];
          }
        }
        if (distinct != 1) {
          report(rule::kValuesOfCorrectType,
                 "OneOf Input Object " + quoted(type->name) + " must specify exactly one key.", {object.loc});
        } else if (only->value == nullptr || only->value->kind == NodeKind::kNullValue) {
          report(rule::kValuesOfCorrectType,
                 "Field \"" + std::string(type->name) + "." + std::string(only->name.value) +
                     "\" must be non-null.",
                 {object.loc});
        }
      }
      return false;
    }
    case NodeKind::kNullValue:
      if (ctx.type.is_non_null()) {
        report(rule::kValuesOfCorrectType,
               "Expected value of type " + quoted(ctx.type.to_string()) + ", found null.", {value.loc});
      }
      return false;
    default: check_leaf_value(value, ctx.type); return false;
  }
}

void Validator::object_field_correct(const ObjectField& field, const InputContext& field_ctx,
                                     const InputContext& object_ctx) {
  if (field_ctx.type || !object_ctx.type) return;
  const TypeDef& parent = object_ctx.type.named_type();
  if (parent.kind != TypeKind::kInputObject) return;
  std::string suggestion;
  if (!options_.hide_suggestions) {
    std::vector<std::string_view> names;
    for (const InputValueDef& f : parent.input_fields) names.push_back(f.name);
    suggestion = did_you_mean(field.name.value, names);
  }
  report(rule::kValuesOfCorrectType,
         "Field " + quoted(field.name.value) + " is not defined by type " + quoted(parent.name) + "." +
             suggestion,
         {field.loc});
}

// graphql-js isValidValueNode(): leaf types parse the literal (parseLiteral of the
// built-in scalars and enums); custom scalars accept any literal, as in graphql-js.
void Validator::check_leaf_value(const Value& value, TypeRef location_type) {
  if (!location_type) return;
  const TypeDef& type = location_type.named_type();
  if (!type.is_leaf()) {
    report(rule::kValuesOfCorrectType,
           "Expected value of type " + quoted(location_type.to_string()) + ", found " + print(value) + ".",
           {value.loc});
    return;
  }
  const NodeKind kind = value.kind;
  if (type.kind == TypeKind::kEnum) {
    const std::string printed = print(value);
    std::string message;
    if (kind != NodeKind::kEnumValue) {
      message = "Enum " + quoted(type.name) + " cannot represent non-enum value: " + printed + ".";
    } else if (type.enum_value(static_cast<const EnumValue&>(value).value) == nullptr) {
      message = "Value " + quoted(printed) + " does not exist in " + quoted(type.name) + " enum.";
    } else {
      return;
    }
    if (!options_.hide_suggestions) {
      std::vector<std::string_view> names;
      for (const EnumValueDef& v : type.enum_values) names.push_back(v.name);
      message += did_you_mean(printed, names, "the enum value");
    }
    report(rule::kValuesOfCorrectType, std::move(message), {value.loc});
    return;
  }
  const std::string_view name = type.name;
  std::string message;
  if (name == "Int") {
    if (kind != NodeKind::kIntValue) {
      message = "Int cannot represent non-integer value: " + print(value);
    } else if (const std::string_view raw = static_cast<const IntValue&>(value).raw; !int_in_range(raw)) {
      message = "Int cannot represent non 32-bit signed integer value: " + std::string(raw);
    }
  } else if (name == "Float") {
    if (kind != NodeKind::kIntValue && kind != NodeKind::kFloatValue) {
      message = "Float cannot represent non numeric value: " + print(value);
    }
  } else if (name == "String") {
    if (kind != NodeKind::kStringValue)
      message = "String cannot represent a non string value: " + print(value);
  } else if (name == "Boolean") {
    if (kind != NodeKind::kBooleanValue)
      message = "Boolean cannot represent a non boolean value: " + print(value);
  } else if (name == "ID") {
    if (kind != NodeKind::kStringValue && kind != NodeKind::kIntValue) {
      message = "ID cannot represent a non-string and non-integer value: " + print(value);
    }
  }
  if (!message.empty()) report(rule::kValuesOfCorrectType, std::move(message), {value.loc});
}

void Validator::unique_input_field_name(const ObjectValue& object, std::size_t index) {
  const auto& fields = object.fields;
  const std::string_view name = fields[index]->name.value;
  std::size_t first = index;
  if (fields.size() <= 16) {
    for (std::size_t j = 0; j < index; ++j) {
      if (fields[j]->name.value == name) {
        first = j;
        break;
      }
    }
  } else {
    auto [it, inserted] = input_field_index_.try_emplace(&object, PMap<std::string_view, uint32_t>(&arena_));
    if (inserted) {
      for (std::size_t j = 0; j < fields.size(); ++j) {
        it->second.try_emplace(fields[j]->name.value, static_cast<uint32_t>(j));
      }
    }
    first = it->second.find(name)->second;
  }
  if (first == index) return;
  report(rule::kUniqueInputFieldNames, "There can be only one input field named " + quoted(name) + ".",
         {fields[first]->name.loc, fields[index]->name.loc});
}

}  // namespace fraiseql::graphql::validation
