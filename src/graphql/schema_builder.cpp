#include "fraiseql/graphql/schema_builder.hpp"

#include <algorithm>
#include <functional>
#include <limits>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "fraiseql/graphql/coercion.hpp"
#include "fraiseql/graphql/parser.hpp"
#include "fraiseql/graphql/printer.hpp"

namespace fraiseql::graphql {

std::string SchemaError::to_string() const {
  std::string s = file;
  if (loc.line != 0) {
    s.push_back(':');
    s.append(std::to_string(loc.line)).push_back(':');
    s.append(std::to_string(loc.column));
  }
  s.append(": ").append(message);
  return s;
}

std::string SchemaBuildResult::error_text() const {
  std::string s;
  for (const auto& e : errors_) {
    s.append(e.to_string()).push_back('\n');
  }
  return s;
}

namespace {

bool is_spec_scalar(std::string_view name) {
  return name == "Int" || name == "Float" || name == "String" || name == "Boolean" || name == "ID";
}
bool is_spec_type(std::string_view name) {
  return is_spec_scalar(name) || name.starts_with("__");
}
bool is_spec_directive(std::string_view name) {
  return name == "include" || name == "skip" || name == "deprecated" || name == "specifiedBy" ||
         name == "oneOf";
}
bool reserved_name(std::string_view name) {
  return name.size() >= 2 && name[0] == '_' && name[1] == '_';
}

constexpr std::string_view kMetaFieldsType = "__MetaFields";
constexpr std::string_view kDefaultDeprecationReason = "No longer supported";

TypeKind kind_of(NodeKind k) {
  switch (k) {
    case NodeKind::kObjectTypeDefinition:
    case NodeKind::kObjectTypeExtension: return TypeKind::kObject;
    case NodeKind::kInterfaceTypeDefinition:
    case NodeKind::kInterfaceTypeExtension: return TypeKind::kInterface;
    case NodeKind::kUnionTypeDefinition:
    case NodeKind::kUnionTypeExtension: return TypeKind::kUnion;
    case NodeKind::kEnumTypeDefinition:
    case NodeKind::kEnumTypeExtension: return TypeKind::kEnum;
    case NodeKind::kInputObjectTypeDefinition:
    case NodeKind::kInputObjectTypeExtension: return TypeKind::kInputObject;
    default: return TypeKind::kScalar;
  }
}

std::string_view kind_word(TypeKind k) {
  switch (k) {
    case TypeKind::kScalar: return "scalar";
    case TypeKind::kObject: return "object";
    case TypeKind::kInterface: return "interface";
    case TypeKind::kUnion: return "union";
    case TypeKind::kEnum: return "enum";
    case TypeKind::kInputObject: return "input object";
  }
  return "scalar";
}

DirectiveLocation location_of(TypeKind k) {
  switch (k) {
    case TypeKind::kScalar: return DirectiveLocation::kScalar;
    case TypeKind::kObject: return DirectiveLocation::kObject;
    case TypeKind::kInterface: return DirectiveLocation::kInterface;
    case TypeKind::kUnion: return DirectiveLocation::kUnion;
    case TypeKind::kEnum: return DirectiveLocation::kEnum;
    case TypeKind::kInputObject: return DirectiveLocation::kInputObject;
  }
  return DirectiveLocation::kScalar;
}

std::optional<std::string_view> description_of(const StringValue* s) {
  if (s == nullptr) return std::nullopt;
  return s->value;
}

std::optional<std::string_view> deprecation_of(NodeList<Directive> directives) {
  for (const Directive* d : directives) {
    if (d->name.value != "deprecated") continue;
    if (const auto* reason = as<StringValue>(find_argument(*d, "reason"))) return reason->value;
    return kDefaultDeprecationReason;
  }
  return std::nullopt;
}

const Directive* deprecated_node(const InputValueDef& v) {
  return v.ast == nullptr ? nullptr : find_directive(v.directives, "deprecated");
}

}  // namespace

/// Builds one Schema. It is the friend of Schema and TypeDef that may fill in their
/// private indexes; nothing else in the program uses that access.
class SchemaBuilderAccess {
 public:
  explicit SchemaBuilderAccess(const SchemaBuildOptions& options)
      : options_(options), schema_(new Schema()) {}

  SchemaBuildResult build(std::span<const SchemaSource> sources) {
    if (!parse(sources)) return fail();
    collect();
    create_types();
    attach_extensions();
    create_directives();
    for (TypeDef* t : types_) fill_type(*t);
    fill_directive_arguments();
    build_meta_fields();
    resolve_roots();
    compute_possible_types();
    build_indexes();
    check_applied_directives();
    validate_types();
    validate_directives();
    detect_directive_self_references();
    if (!errors_.empty()) return fail();
    return SchemaBuildResult(std::shared_ptr<const Schema>(schema_.release()));
  }

 private:
  struct PendingError {
    uint32_t doc;
    Location loc;
    std::string message;
    uint32_t seq;
  };
  struct Entry {
    const Definition* def;
    uint32_t doc;
    bool removed = false;
  };

  // ---- errors ---------------------------------------------------------------------------

  void error(uint32_t doc, Location loc, std::string message) {
    errors_.push_back({doc, loc, std::move(message), static_cast<uint32_t>(errors_.size())});
  }
  void error(const Node* owner, Location loc, std::string message) {
    error(doc_of(owner), loc, std::move(message));
  }
  void error_at(const Node* node, std::string message) {
    error(node, node == nullptr ? Location{} : node->loc, std::move(message));
  }

  uint32_t doc_of(const Node* node) const {
    auto it = doc_of_.find(node);
    return it == doc_of_.end() ? 0 : it->second;
  }

  SchemaBuildResult fail() {
    std::stable_sort(errors_.begin(), errors_.end(), [](const PendingError& a, const PendingError& b) {
      const bool ap = a.loc.line != 0;
      const bool bp = b.loc.line != 0;
      if (ap != bp) return ap;
      if (a.doc != b.doc) return a.doc < b.doc;
      return a.loc.offset < b.loc.offset;
    });
    std::vector<SchemaError> out;
    out.reserve(errors_.size());
    const auto& names = schema_->source_names_;
    for (auto& e : errors_) {
      uint32_t doc = e.doc;
      // Errors without a position belong to the schema as a whole: name its last file.
      if (e.loc.line == 0 && doc == 0) doc = static_cast<uint32_t>(names.size() - 1);
      out.push_back({names[doc], e.loc, std::move(e.message)});
    }
    return SchemaBuildResult(std::move(out));
  }

  // ---- parsing and collecting -------------------------------------------------------------

  bool parse(std::span<const SchemaSource> sources) {
    Schema& s = *schema_;
    ParseOptions po;
    // SDL is trusted configuration; real schemas (GitHub's) exceed the request limits.
    po.max_document_bytes = std::size_t{256} << 20;
    po.max_tokens = std::numeric_limits<uint32_t>::max();
    auto prelude = parse_document(std::string(schema_prelude_sdl(options_.fraiseql_prelude)), po);
    s.documents_.push_back(std::move(prelude).document());
    s.source_names_.emplace_back("<prelude>");
    for (const auto& src : sources) {
      auto r = parse_document(src.sdl, po);
      const auto doc = static_cast<uint32_t>(s.documents_.size());
      s.source_names_.push_back(src.name);
      if (!r) {
        error(doc, r.error().loc, r.error().message);
        s.documents_.emplace_back();
        continue;
      }
      s.documents_.push_back(std::move(r).document());
    }
    return errors_.empty();
  }

  void collect() {
    const auto& docs = schema_->documents_;
    for (uint32_t di = 0; di < docs.size(); ++di) {
      for (const Definition* def : docs[di].definitions()) {
        doc_of_[def] = di;
        const NodeKind k = def->kind;
        if (k == NodeKind::kSchemaDefinition) {
          if (schema_def_ != nullptr) {
            error_at(def, "Must provide only one schema definition.");
          } else {
            schema_def_ = static_cast<const SchemaDefinition*>(def);
          }
        } else if (k == NodeKind::kSchemaExtension) {
          schema_exts_.push_back(static_cast<const SchemaDefinition*>(def));
        } else if (is_type_definition(k)) {
          add_type_entry(static_cast<const TypeDefinition*>(def), di);
        } else if (is_type_extension(k)) {
          type_exts_.push_back(static_cast<const TypeDefinition*>(def));
        } else if (k == NodeKind::kDirectiveDefinition) {
          add_directive_entry(static_cast<const DirectiveDefinition*>(def), di);
        } else {
          error_at(def, "A schema may only contain type-system definitions, found " +
                            std::string(to_string(k)) + ".");
        }
      }
    }
  }

  void add_type_entry(const TypeDefinition* def, uint32_t doc) {
    const std::string_view name = def->name.value;
    if (doc == 0 && name == kMetaFieldsType) {
      meta_def_ = static_cast<const ObjectTypeDefinition*>(def);
      return;
    }
    auto it = type_entry_index_.find(name);
    if (it != type_entry_index_.end()) {
      Entry& prev = type_entries_[it->second];
      if (prev.doc == 0 && doc != 0) {
        // Spec types cannot be redefined (graphql-js keeps its own); FraiseQL's can.
        if (is_spec_type(name)) return;
        prev.removed = true;
      } else {
        error(doc, def->name.loc, "There can be only one type named \"" + std::string(name) + "\".");
        return;
      }
    }
    type_entry_index_[name] = type_entries_.size();
    type_entries_.push_back({def, doc});
  }

  void add_directive_entry(const DirectiveDefinition* def, uint32_t doc) {
    const std::string_view name = def->name.value;
    auto it = directive_entry_index_.find(name);
    if (it != directive_entry_index_.end()) {
      Entry& prev = directive_entries_[it->second];
      if (prev.doc == 0 && doc != 0) {
        prev.removed = true;
      } else {
        error(doc, def->name.loc, "There can be only one directive named \"@" + std::string(name) + "\".");
        return;
      }
    }
    directive_entry_index_[name] = directive_entries_.size();
    directive_entries_.push_back({def, doc});
  }

  // ---- types ------------------------------------------------------------------------------

  void create_types() {
    Schema& s = *schema_;
    for (const Entry& e : type_entries_) {
      if (e.removed) continue;
      const auto* def = static_cast<const TypeDefinition*>(e.def);
      auto t = std::make_unique<TypeDef>();
      t->kind = kind_of(def->kind);
      t->name = def->name.value;
      t->description = description_of(def->description);
      t->is_builtin = e.doc == 0 && is_spec_type(t->name);
      t->ast = def;
      types_.push_back(t.get());
      s.types_.emplace(t->name, t.get());
      s.type_list_.push_back(t.get());
      s.type_storage_.push_back(std::move(t));
    }
  }

  TypeDef* mutable_type(std::string_view name) {
    auto it = schema_->types_.find(name);
    return it == schema_->types_.end() ? nullptr : const_cast<TypeDef*>(it->second);
  }

  void attach_extensions() {
    for (const TypeDefinition* ext : type_exts_) {
      TypeDef* t = mutable_type(ext->name.value);
      const std::string name(ext->name.value);
      if (t == nullptr) {
        error(ext, ext->name.loc, "Cannot extend type \"" + name + "\" because it is not defined.");
        continue;
      }
      if (t->kind != kind_of(ext->kind)) {
        error(ext, ext->name.loc,
              "Cannot extend non-" + std::string(kind_word(kind_of(ext->kind))) + " type \"" + name + "\".");
        continue;
      }
      t->extension_asts.push_back(ext);
    }
  }

  /// A type reference; reports unknown named types.
  TypeRef resolve(const Type* type, uint32_t doc) {
    if (type == nullptr) return {};
    const NamedType& named = named_type_of(*type);
    if (schema_->type(named.name.value) == nullptr) {
      error(doc, named.loc, "Unknown type \"" + std::string(named.name.value) + "\".");
      return {};
    }
    return schema_->resolve_type(*type);
  }

  void add_directives(AppliedDirectives& out, NodeList<Directive> directives) {
    out.insert(out.end(), directives.begin(), directives.end());
  }

  InputValueDef make_input_value(const InputValueDefinition* node, uint32_t doc) {
    doc_of_[node] = doc;
    InputValueDef v;
    v.name = node->name.value;
    v.description = description_of(node->description);
    v.type = resolve(node->type, doc);
    v.default_value = node->default_value;
    v.deprecation_reason = deprecation_of(node->directives);
    add_directives(v.directives, node->directives);
    v.ast = node;
    return v;
  }

  /// Arguments of a field or directive; `owner` names it in messages ("T.f" or "@d").
  std::vector<InputValueDef> make_arguments(NodeList<InputValueDefinition> args, uint32_t doc,
                                            const std::string& owner) {
    std::vector<InputValueDef> out;
    out.reserve(args.size());
    for (const InputValueDefinition* a : args) {
      const bool dup = std::any_of(out.begin(), out.end(),
                                   [&](const InputValueDef& o) { return o.name == a->name.value; });
      if (dup) {
        error(doc, a->name.loc,
              "Argument \"" + owner + "(" + std::string(a->name.value) + ":)\" can only be defined once.");
        continue;
      }
      out.push_back(make_input_value(a, doc));
    }
    return out;
  }

  void fill_type(TypeDef& t) {
    std::vector<const TypeDefinition*> nodes;
    nodes.push_back(t.ast);
    nodes.insert(nodes.end(), t.extension_asts.begin(), t.extension_asts.end());
    std::unordered_set<std::string_view> names;
    const std::string tname(t.name);
    for (const TypeDefinition* node : nodes) {
      const uint32_t doc = doc_of(node);
      add_directives(t.directives, node->directives);
      switch (t.kind) {
        case TypeKind::kScalar:
          if (const Directive* d = find_directive_in(node->directives, "specifiedBy")) {
            if (const auto* url = as<StringValue>(find_argument(*d, "url"))) t.specified_by_url = url->value;
          }
          break;
        case TypeKind::kObject:
        case TypeKind::kInterface: {
          // Object and interface definitions share their layout (see ast.hpp).
          NodeList<NamedType> interfaces;
          NodeList<FieldDefinition> fields;
          if (t.kind == TypeKind::kObject) {
            const auto& o = static_cast<const ObjectTypeDefinition&>(*node);
            interfaces = o.interfaces;
            fields = o.fields;
          } else {
            const auto& o = static_cast<const InterfaceTypeDefinition&>(*node);
            interfaces = o.interfaces;
            fields = o.fields;
          }
          for (const NamedType* i : interfaces) {
            doc_of_[i] = doc;
            const TypeDef* it = schema_->type(i->name.value);
            if (it == nullptr) {
              error(doc, i->loc, "Unknown type \"" + std::string(i->name.value) + "\".");
              continue;
            }
            t.interfaces.push_back(it);
            implements_nodes_[{&t, it}].push_back(i);
          }
          for (const FieldDefinition* f : fields) {
            doc_of_[f] = doc;
            if (!names.insert(f->name.value).second) {
              error(doc, f->name.loc,
                    "Field \"" + tname + "." + std::string(f->name.value) + "\" can only be defined once.");
              continue;
            }
            FieldDef fd;
            fd.name = f->name.value;
            fd.description = description_of(f->description);
            fd.arguments = make_arguments(f->arguments, doc, tname + "." + std::string(f->name.value));
            fd.type = resolve(f->type, doc);
            fd.deprecation_reason = deprecation_of(f->directives);
            add_directives(fd.directives, f->directives);
            fd.parent = &t;
            fd.ast = f;
            t.fields.push_back(std::move(fd));
          }
          break;
        }
        case TypeKind::kUnion:
          for (const NamedType* m : static_cast<const UnionTypeDefinition&>(*node).types) {
            doc_of_[m] = doc;
            const TypeDef* mt = schema_->type(m->name.value);
            if (mt == nullptr) {
              error(doc, m->loc, "Unknown type \"" + std::string(m->name.value) + "\".");
              continue;
            }
            union_members_[&t].push_back(m);
            t.possible_types.push_back(mt);
          }
          break;
        case TypeKind::kEnum:
          for (const EnumValueDefinition* v : static_cast<const EnumTypeDefinition&>(*node).values) {
            doc_of_[v] = doc;
            if (!names.insert(v->name.value).second) {
              error(doc, v->name.loc,
                    "Enum value \"" + tname + "." + std::string(v->name.value) +
                        "\" can only be defined once.");
              continue;
            }
            EnumValueDef ev;
            ev.name = v->name.value;
            ev.description = description_of(v->description);
            ev.deprecation_reason = deprecation_of(v->directives);
            add_directives(ev.directives, v->directives);
            ev.ast = v;
            t.enum_values.push_back(std::move(ev));
          }
          break;
        case TypeKind::kInputObject:
          if (find_directive_in(node->directives, "oneOf") != nullptr) t.is_one_of = true;
          for (const InputValueDefinition* f : static_cast<const InputObjectTypeDefinition&>(*node).fields) {
            if (!names.insert(f->name.value).second) {
              error(doc, f->name.loc,
                    "Field \"" + tname + "." + std::string(f->name.value) + "\" can only be defined once.");
              continue;
            }
            t.input_fields.push_back(make_input_value(f, doc));
          }
          break;
      }
    }
  }

  static const Directive* find_directive_in(NodeList<Directive> directives, std::string_view name) {
    for (const Directive* d : directives) {
      if (d->name.value == name) return d;
    }
    return nullptr;
  }

  // ---- directives ---------------------------------------------------------------------------

  void create_directives() {
    Schema& s = *schema_;
    for (const Entry& e : directive_entries_) {
      if (e.removed) continue;
      const auto* def = static_cast<const DirectiveDefinition*>(e.def);
      auto d = std::make_unique<DirectiveDef>();
      d->name = def->name.value;
      d->description = description_of(def->description);
      d->repeatable = def->repeatable;
      d->is_builtin = is_spec_directive(d->name);
      for (const DirectiveLocationName& l : def->locations) {
        d->locations.push_back(l.value);
        d->location_mask |= uint32_t{1} << static_cast<unsigned>(l.value);
      }
      d->ast = def;
      s.directive_index_.emplace(d->name, d.get());
      s.directive_list_.push_back(d.get());
      s.directive_storage_.push_back(std::move(d));
    }
  }

  void fill_directive_arguments() {
    for (const auto& d : schema_->directive_storage_) {
      d->arguments = make_arguments(d->ast->arguments, doc_of(d->ast), "@" + std::string(d->name));
    }
  }

  void build_meta_fields() {
    Schema& s = *schema_;
    if (meta_def_ == nullptr) return;
    for (const FieldDefinition* f : meta_def_->fields) {
      auto fd = std::make_unique<FieldDef>();
      fd->name = f->name.value;
      fd->description = description_of(f->description);
      fd->arguments = make_arguments(f->arguments, 0, std::string(f->name.value));
      fd->type = resolve(f->type, 0);
      fd->ast = f;
      if (fd->name == "__typename") {
        s.typename_field_ = std::move(fd);
      } else if (fd->name == "__schema") {
        s.schema_field_ = std::move(fd);
      } else {
        s.type_field_ = std::move(fd);
      }
    }
  }

  // ---- root types ---------------------------------------------------------------------------

  void resolve_roots() {
    Schema& s = *schema_;
    std::vector<const SchemaDefinition*> nodes;
    if (schema_def_ != nullptr) nodes.push_back(schema_def_);
    nodes.insert(nodes.end(), schema_exts_.begin(), schema_exts_.end());
    const TypeDef* roots[3] = {nullptr, nullptr, nullptr};
    const OperationTypeDefinition* root_nodes[3] = {nullptr, nullptr, nullptr};
    for (const SchemaDefinition* node : nodes) {
      if (node->description != nullptr) s.description_ = node->description->value;
      add_directives(s.schema_directives_, node->directives);
      for (const OperationTypeDefinition* op : node->operation_types) {
        doc_of_[op] = doc_of(node);
        const auto i = static_cast<std::size_t>(op->operation);
        if (root_nodes[i] != nullptr) {
          error(node, op->loc,
                "There can be only one " + std::string(to_string(op->operation)) + " type in schema.");
          continue;
        }
        root_nodes[i] = op;
        const TypeDef* t = schema_->type(op->type->name.value);
        if (t == nullptr) {
          error(node, op->type->loc, "Unknown type \"" + std::string(op->type->name.value) + "\".");
          continue;
        }
        roots[i] = t;
      }
    }
    if (schema_def_ == nullptr) {
      // Without a schema definition the conventional names are the roots (graphql-js).
      static constexpr std::string_view kNames[3] = {"Query", "Mutation", "Subscription"};
      for (std::size_t i = 0; i < 3; ++i) {
        if (roots[i] == nullptr && root_nodes[i] == nullptr) roots[i] = schema_->type(kNames[i]);
      }
    }
    static constexpr std::string_view kLabels[3] = {"Query", "Mutation", "Subscription"};
    for (std::size_t i = 0; i < 3; ++i) {
      const TypeDef* t = roots[i];
      if (t == nullptr) continue;
      if (t->kind != TypeKind::kObject) {
        const Node* where = root_nodes[i] != nullptr ? static_cast<const Node*>(root_nodes[i]->type) : t->ast;
        const uint32_t doc = root_nodes[i] != nullptr ? doc_of(root_nodes[i]) : doc_of(t->ast);
        error(doc, where->loc,
              std::string(kLabels[i]) + " root type must be Object type" + (i == 0 ? "" : " if provided") +
                  ", it cannot be " + std::string(t->name) + ".");
      }
    }
    // Spec §3.3.1 Root Operation Types: the roots must all be different types (graphql-js
    // 17 wording; 16 does not check). One type serving two operations would make every
    // query field a mutation field too.
    static constexpr std::string_view kOperations[3] = {"query", "mutation", "subscription"};
    for (std::size_t i = 0; i < 3; ++i) {
      if (roots[i] == nullptr) continue;
      bool first = true;
      std::string operations(kOperations[i]);
      const OperationTypeDefinition* later = nullptr;
      for (std::size_t j = 0; j < 3; ++j) {
        if (j == i || roots[j] != roots[i]) continue;
        if (j < i) first = false;
        if (j > i) {
          operations += " and " + std::string(kOperations[j]);
          if (later == nullptr) later = root_nodes[j];
        }
      }
      if (!first || operations.size() == kOperations[i].size()) continue;
      const Node* where = later != nullptr ? static_cast<const Node*>(later->type) : roots[i]->ast;
      error(later != nullptr ? doc_of(later) : doc_of(roots[i]->ast), where->loc,
            "All root types must be different, \"" + std::string(roots[i]->name) + "\" type is used as " +
                operations + " root types.");
    }
    s.query_ = roots[0];
    s.mutation_ = roots[1];
    s.subscription_ = roots[2];
    if (s.query_ == nullptr && options_.require_query_type) {
      if (schema_def_ != nullptr) {
        error_at(schema_def_, "Query root type must be provided.");
      } else {
        error(uint32_t{0}, Location{}, "Query root type must be provided.");
      }
    }
    for (auto* f : {s.typename_field_.get(), s.schema_field_.get(), s.type_field_.get()}) {
      if (f != nullptr) f->parent = s.query_;
    }
  }

  // ---- possible types and indexes -----------------------------------------------------------

  void compute_possible_types() {
    // Interfaces: every object implementing them, directly or through other interfaces,
    // in type order.
    for (TypeDef* obj : types_) {
      if (obj->kind != TypeKind::kObject) continue;
      std::unordered_set<const TypeDef*> seen;
      std::vector<const TypeDef*> stack(obj->interfaces.begin(), obj->interfaces.end());
      while (!stack.empty()) {
        const TypeDef* i = stack.back();
        stack.pop_back();
        if (i->kind != TypeKind::kInterface || !seen.insert(i).second) continue;
        const_cast<TypeDef*>(i)->possible_types.push_back(obj);
        stack.insert(stack.end(), i->interfaces.begin(), i->interfaces.end());
      }
    }
    // Restore type order (the DFS above appends in object order already; interface
    // lists are therefore ordered by object, which is type order).
  }

  void build_indexes() {
    for (TypeDef* t : types_) {
      for (const auto& f : t->fields) t->field_index_.emplace(f.name, &f);
      for (const auto& f : t->input_fields) t->input_field_index_.emplace(f.name, &f);
      for (const auto& v : t->enum_values) t->enum_value_index_.emplace(v.name, &v);
      t->possible_sorted_ = t->possible_types;
      std::sort(t->possible_sorted_.begin(), t->possible_sorted_.end(), std::less<>{});
      t->possible_sorted_.erase(std::unique(t->possible_sorted_.begin(), t->possible_sorted_.end()),
                                t->possible_sorted_.end());
    }
  }

  // ---- applied directives (graphql-js KnownDirectives, UniqueDirectivesPerLocation,
  // KnownArgumentNamesOnDirectives, UniqueArgumentNames, ProvidedRequiredArgumentsOnDirectives,
  // plus the argument values' types) ----------------------------------------------------------

  void check_directives(NodeList<Directive> directives, DirectiveLocation location, uint32_t doc,
                        std::unordered_set<std::string_view>* seen_across = nullptr) {
    std::unordered_set<std::string_view> local;
    auto& seen = seen_across != nullptr ? *seen_across : local;
    for (const Directive* d : directives) {
      const std::string name(d->name.value);
      const DirectiveDef* def = schema_->directive(d->name.value);
      if (def == nullptr) {
        error(doc, d->loc, "Unknown directive \"@" + name + "\".");
        continue;
      }
      if (!def->has_location(location)) {
        error(doc, d->loc,
              "Directive \"@" + name + "\" may not be used on " + std::string(to_string(location)) + ".");
      }
      if (!def->repeatable && !seen.insert(def->name).second) {
        error(doc, d->loc, "The directive \"@" + name + "\" can only be used once at this location.");
      }
      std::unordered_set<std::string_view> arg_names;
      for (const Argument* a : d->arguments) {
        const std::string an(a->name.value);
        if (!arg_names.insert(a->name.value).second) {
          error(doc, a->loc, "There can be only one argument named \"" + an + "\".");
          continue;
        }
        const InputValueDef* ad = def->argument(a->name.value);
        if (ad == nullptr) {
          error(doc, a->loc, "Unknown argument \"" + an + "\" on directive \"@" + name + "\".");
          continue;
        }
        if (!ad->type) continue;
        if (auto msg = literal_error(*a->value, ad->type)) {
          error(doc, a->value->loc, *msg);
        }
      }
      for (const InputValueDef& ad : def->arguments) {
        if (ad.is_required() && !arg_names.contains(ad.name)) {
          error(doc, d->loc,
                "Directive \"@" + name + "\" argument \"" + std::string(ad.name) + "\" of type \"" +
                    ad.type.to_string() + "\" is required, but it was not provided.");
        }
      }
    }
  }

  /// graphql-js ValuesOfCorrectType wording for a const literal that does not fit `type`.
  static std::optional<std::string> literal_error(const Value& value, TypeRef type) {
    std::vector<std::string> problems;
    validate_const_literal(value, type, problems);
    if (problems.empty()) return std::nullopt;
    return problems.front();
  }

  void check_input_values(NodeList<InputValueDefinition> values, DirectiveLocation location, uint32_t doc) {
    for (const InputValueDefinition* v : values) check_directives(v->directives, location, doc);
  }

  void check_applied_directives() {
    const auto& docs = schema_->documents_;
    std::unordered_map<std::string_view, std::unordered_set<std::string_view>> per_type;
    std::unordered_set<std::string_view> per_schema;
    for (uint32_t di = 1; di < docs.size(); ++di) {
      for (const Definition* def : docs[di].definitions()) {
        const NodeKind k = def->kind;
        if (k == NodeKind::kSchemaDefinition || k == NodeKind::kSchemaExtension) {
          check_directives(static_cast<const SchemaDefinition*>(def)->directives, DirectiveLocation::kSchema,
                           di, &per_schema);
        } else if (k == NodeKind::kDirectiveDefinition) {
          check_input_values(static_cast<const DirectiveDefinition*>(def)->arguments,
                             DirectiveLocation::kArgumentDefinition, di);
        } else if (is_type_definition(k) || is_type_extension(k)) {
          const auto* td = static_cast<const TypeDefinition*>(def);
          const TypeKind tk = kind_of(k);
          check_directives(td->directives, location_of(tk), di, &per_type[td->name.value]);
          check_type_members(*td, tk, di);
        }
      }
    }
  }

  void check_type_members(const TypeDefinition& td, TypeKind tk, uint32_t doc) {
    auto fields = [&](NodeList<FieldDefinition> list) {
      for (const FieldDefinition* f : list) {
        check_directives(f->directives, DirectiveLocation::kFieldDefinition, doc);
        check_input_values(f->arguments, DirectiveLocation::kArgumentDefinition, doc);
      }
    };
    switch (tk) {
      case TypeKind::kObject: fields(static_cast<const ObjectTypeDefinition&>(td).fields); break;
      case TypeKind::kInterface: fields(static_cast<const InterfaceTypeDefinition&>(td).fields); break;
      case TypeKind::kEnum:
        for (const EnumValueDefinition* v : static_cast<const EnumTypeDefinition&>(td).values) {
          check_directives(v->directives, DirectiveLocation::kEnumValue, doc);
        }
        break;
      case TypeKind::kInputObject:
        check_input_values(static_cast<const InputObjectTypeDefinition&>(td).fields,
                           DirectiveLocation::kInputFieldDefinition, doc);
        break;
      default: break;
    }
  }

  // ---- graphql-js validateSchema ------------------------------------------------------------

  void validate_name(std::string_view name, const Node* node, Location loc) {
    if (reserved_name(name)) {
      error(node, loc,
            "Name \"" + std::string(name) +
                "\" must not begin with \"__\", which is reserved by GraphQL introspection.");
    }
  }

  bool user_defined(const Node* node) const { return node != nullptr && doc_of(node) != 0; }

  void validate_types() {
    std::unordered_set<const TypeDef*> cycle_visited;
    for (TypeDef* t : types_) {
      if (!user_defined(t->ast)) continue;
      validate_name(t->name, t->ast, t->ast->name.loc);
      switch (t->kind) {
        case TypeKind::kObject:
        case TypeKind::kInterface:
          validate_fields(*t);
          validate_interfaces(*t);
          break;
        case TypeKind::kUnion: validate_union(*t); break;
        case TypeKind::kEnum:
          if (t->enum_values.empty())
            error_at(t->ast, "Enum type " + std::string(t->name) + " must define one or more values.");
          for (const auto& v : t->enum_values) validate_name(v.name, v.ast, v.ast->name.loc);
          break;
        case TypeKind::kInputObject:
          validate_input_fields(*t);
          detect_input_cycles(*t, cycle_visited);
          break;
        case TypeKind::kScalar: break;
      }
    }
  }

  void validate_fields(const TypeDef& t) {
    const std::string tn(t.name);
    if (t.fields.empty()) error_at(t.ast, "Type " + tn + " must define one or more fields.");
    for (const FieldDef& f : t.fields) {
      validate_name(f.name, f.ast, f.ast->name.loc);
      const std::string fn = tn + "." + std::string(f.name);
      if (f.type && !f.type.named_type().is_output_type()) {
        error(f.ast, f.ast->type->loc,
              "The type of " + fn + " must be Output Type but got: " + f.type.to_string() + ".");
      }
      for (const InputValueDef& a : f.arguments) {
        validate_name(a.name, a.ast, a.ast->name.loc);
        const std::string an = fn + "(" + std::string(a.name) + ":)";
        if (a.type && !a.type.named_type().is_input_type()) {
          error(a.ast, a.ast->type->loc,
                "The type of " + an + " must be Input Type but got: " + a.type.to_string() + ".");
        }
        if (a.is_required() && a.is_deprecated()) {
          error_at_deprecated(a, "Required argument " + an + " cannot be deprecated.");
        }
      }
    }
  }

  void error_at_deprecated(const InputValueDef& v, std::string message) {
    const Directive* d = deprecated_node(v);
    error(v.ast, d != nullptr ? d->loc : v.ast->loc, std::move(message));
  }

  /// The location of `type implements iface` (first such node), else the type itself.
  Location implements_loc(const TypeDef& t, const TypeDef* iface) const {
    auto it = implements_nodes_.find({&t, iface});
    if (it != implements_nodes_.end() && !it->second.empty()) return it->second.front()->loc;
    return t.ast->loc;
  }
  const Node* implements_node(const TypeDef& t, const TypeDef* iface) const {
    auto it = implements_nodes_.find({&t, iface});
    if (it != implements_nodes_.end() && !it->second.empty()) return it->second.front();
    return t.ast;
  }

  void validate_interfaces(const TypeDef& t) {
    const std::string tn(t.name);
    std::unordered_set<const TypeDef*> seen;
    for (const TypeDef* iface : t.interfaces) {
      const Node* where = implements_node(t, iface);
      const std::string in(iface->name);
      if (iface->kind != TypeKind::kInterface) {
        error_at(where,
                 "Type " + tn + " must only implement Interface types, it cannot implement " + in + ".");
        continue;
      }
      if (iface == &t) {
        error_at(where,
                 "Type " + tn + " cannot implement itself because it would create a circular reference.");
        continue;
      }
      if (!seen.insert(iface).second) {
        // Point at the repeated occurrence.
        auto it = implements_nodes_.find({&t, iface});
        const Node* again = it != implements_nodes_.end() && it->second.size() > 1 ? it->second[1] : where;
        error_at(again, "Type " + tn + " can only implement " + in + " once.");
        continue;
      }
      // Ancestors.
      for (const TypeDef* transitive : iface->interfaces) {
        if (t.implements(*transitive)) continue;
        error_at(where, transitive == &t ? "Type " + tn + " cannot implement " + in +
                                               " because it would create a circular reference."
                                         : "Type " + tn + " must implement " + std::string(transitive->name) +
                                               " because it is implemented by " + in + ".");
      }
      validate_implementation(t, *iface);
    }
  }

  void validate_implementation(const TypeDef& t, const TypeDef& iface) {
    const std::string tn(t.name);
    const std::string in(iface.name);
    for (const FieldDef& iface_field : iface.fields) {
      const std::string fname(iface_field.name);
      const FieldDef* type_field = nullptr;
      for (const FieldDef& f : t.fields) {
        if (f.name == iface_field.name) type_field = &f;
      }
      if (type_field == nullptr) {
        // Reported at the implementing type: that is where the fix goes.
        error_at(implements_node(t, &iface),
                 "Interface field " + in + "." + fname + " expected but " + tn + " does not provide it.");
        continue;
      }
      if (iface_field.type && type_field->type && !is_type_sub_type_of(type_field->type, iface_field.type)) {
        error(type_field->ast, type_field->ast->type->loc,
              "Interface field " + in + "." + fname + " expects type " + iface_field.type.to_string() +
                  " but " + tn + "." + fname + " is type " + type_field->type.to_string() + ".");
      }
      for (const InputValueDef& ia : iface_field.arguments) {
        const std::string an(ia.name);
        const InputValueDef* ta = type_field->argument(ia.name);
        if (ta == nullptr) {
          error_at(type_field->ast, "Interface field argument " + in + "." + fname + "(" + an +
                                        ":) expected but " + tn + "." + fname + " does not provide it.");
          continue;
        }
        if (ia.type && ta->type && ia.type != ta->type) {
          error(ta->ast, ta->ast->type->loc,
                "Interface field argument " + in + "." + fname + "(" + an + ":) expects type " +
                    ia.type.to_string() + " but " + tn + "." + fname + "(" + an + ":) is type " +
                    ta->type.to_string() + ".");
        }
      }
      for (const InputValueDef& ta : type_field->arguments) {
        if (iface_field.argument(ta.name) == nullptr && ta.is_required()) {
          error_at(ta.ast, "Object field " + tn + "." + fname + " includes required argument " +
                               std::string(ta.name) + " that is missing from the Interface field " + in +
                               "." + fname + ".");
        }
      }
    }
  }

  void validate_union(const TypeDef& u) {
    const std::string un(u.name);
    if (u.possible_types.empty())
      error_at(u.ast, "Union type " + un + " must define one or more member types.");
    std::unordered_set<const TypeDef*> seen;
    const auto& nodes = union_members_[&u];
    for (std::size_t i = 0; i < u.possible_types.size(); ++i) {
      const TypeDef* m = u.possible_types[i];
      const Node* where = i < nodes.size() ? static_cast<const Node*>(nodes[i]) : u.ast;
      if (!seen.insert(m).second) {
        error_at(where, "Union type " + un + " can only include type " + std::string(m->name) + " once.");
        continue;
      }
      if (m->kind != TypeKind::kObject) {
        error_at(where, "Union type " + un + " can only include Object types, it cannot include " +
                            std::string(m->name) + ".");
      }
    }
  }

  void validate_input_fields(const TypeDef& t) {
    const std::string tn(t.name);
    if (t.input_fields.empty())
      error_at(t.ast, "Input Object type " + tn + " must define one or more fields.");
    for (const InputValueDef& f : t.input_fields) {
      validate_name(f.name, f.ast, f.ast->name.loc);
      const std::string fn = tn + "." + std::string(f.name);
      if (f.type && !f.type.named_type().is_input_type()) {
        error(f.ast, f.ast->type->loc,
              "The type of " + fn + " must be Input Type but got: " + f.type.to_string() + ".");
      }
      if (f.is_required() && f.is_deprecated()) {
        error_at_deprecated(f, "Required input field " + fn + " cannot be deprecated.");
      }
      if (t.is_one_of) {
        if (f.type.is_non_null()) {
          error(f.ast, f.ast->type->loc, "OneOf input field " + fn + " must be nullable.");
        }
        if (f.default_value != nullptr) {
          error_at(f.ast, "OneOf input field " + fn + " cannot have a default value.");
        }
      }
      if (f.type && f.default_value != nullptr) {
        if (auto msg = literal_error(*f.default_value, f.type)) error(f.ast, f.default_value->loc, *msg);
      }
    }
  }

  // graphql-js createInputObjectCircularRefsValidator: a cycle of non-null input fields
  // can never be satisfied by a finite value.
  void detect_input_cycles(const TypeDef& start, std::unordered_set<const TypeDef*>& visited) {
    std::vector<const InputValueDef*> path;
    std::unordered_map<const TypeDef*, std::size_t> index;
    std::function<void(const TypeDef&)> visit = [&](const TypeDef& t) {
      if (!visited.insert(&t).second) return;
      index[&t] = path.size();
      for (const InputValueDef& f : t.input_fields) {
        if (!f.type.is_non_null()) continue;
        const TypeRef inner = f.type.of_type();
        if (!inner.is_named() || inner.named_type().kind != TypeKind::kInputObject) continue;
        const TypeDef& ft = inner.named_type();
        path.push_back(&f);
        auto it = index.find(&ft);
        if (it == index.end()) {
          visit(ft);
        } else {
          std::string names;
          for (std::size_t i = it->second; i < path.size(); ++i) {
            if (!names.empty()) names.push_back('.');
            names.append(path[i]->name);
          }
          error_at(path[it->second]->ast, "Cannot reference Input Object \"" + std::string(ft.name) +
                                              "\" within itself through a series of non-null fields: \"" +
                                              names + "\".");
        }
        path.pop_back();
      }
      index.erase(&t);
    };
    visit(start);
  }

  void validate_directives() {
    for (const DirectiveDef* d : schema_->directive_list_) {
      if (!user_defined(d->ast)) continue;
      validate_name(d->name, d->ast, d->ast->name.loc);
      const std::string dn = "@" + std::string(d->name);
      for (const InputValueDef& a : d->arguments) {
        validate_name(a.name, a.ast, a.ast->name.loc);
        const std::string an = dn + "(" + std::string(a.name) + ":)";
        if (a.type && !a.type.named_type().is_input_type()) {
          error(a.ast, a.ast->loc,  // graphql-js points at the whole argument here
                "The type of " + an + " must be Input Type but got: " + a.type.to_string() + ".");
        }
        if (a.is_required() && a.is_deprecated()) {
          error_at_deprecated(a, "Required argument " + an + " cannot be deprecated.");
        }
        if (a.type && a.default_value != nullptr) {
          if (auto msg = literal_error(*a.default_value, a.type)) error(a.ast, a.default_value->loc, *msg);
        }
      }
    }
    // Field argument defaults are checked here too, once every type is complete.
    for (TypeDef* t : types_) {
      if (!user_defined(t->ast)) continue;
      for (const FieldDef& f : t->fields) {
        for (const InputValueDef& a : f.arguments) {
          if (a.type && a.default_value != nullptr && a.type.named_type().is_input_type()) {
            if (auto msg = literal_error(*a.default_value, a.type)) error(a.ast, a.default_value->loc, *msg);
          }
        }
      }
    }
  }

  // Spec §3.13 Directives, Validation 1-2 (graphql-js does not check it): a directive
  // must not be used on its own arguments, nor reach itself through the directives and
  // input types those arguments use. Such a definition has no well-founded meaning.
  void detect_directive_self_references() {
    for (const DirectiveDef* start : schema_->directive_list_) {
      if (!user_defined(start->ast)) continue;
      std::unordered_set<const DirectiveDef*> seen_directives;
      std::unordered_set<const TypeDef*> seen_types;
      std::vector<const DirectiveDef*> directive_stack;
      std::vector<const TypeDef*> type_stack;
      bool cycle = false;
      auto use_directives = [&](const AppliedDirectives& applied) {
        for (const Directive* applied_directive : applied) {
          const DirectiveDef* d = schema_->directive(applied_directive->name.value);
          if (d == start) cycle = true;
          if (d != nullptr && seen_directives.insert(d).second) directive_stack.push_back(d);
        }
      };
      auto use_value = [&](const InputValueDef& value) {
        use_directives(value.directives);
        const TypeDef* t = value.type.named_type_ptr();
        if (t != nullptr && seen_types.insert(t).second) type_stack.push_back(t);
      };
      for (const InputValueDef& a : start->arguments) use_value(a);
      while (!cycle && (!directive_stack.empty() || !type_stack.empty())) {
        if (!directive_stack.empty()) {
          const DirectiveDef* d = directive_stack.back();
          directive_stack.pop_back();
          for (const InputValueDef& a : d->arguments) use_value(a);
          continue;
        }
        const TypeDef* t = type_stack.back();
        type_stack.pop_back();
        use_directives(t->directives);
        for (const InputValueDef& f : t->input_fields) use_value(f);
        for (const EnumValueDef& v : t->enum_values) use_directives(v.directives);
      }
      if (cycle) {
        error(start->ast, start->ast->name.loc,
              "Directive \"@" + std::string(start->name) +
                  "\" must not reference itself, directly or through the types and directives of its "
                  "arguments.");
      }
    }
  }

  struct PairHash {
    std::size_t operator()(const std::pair<const TypeDef*, const TypeDef*>& p) const noexcept {
      return std::hash<const void*>{}(p.first) * 31 + std::hash<const void*>{}(p.second);
    }
  };

  SchemaBuildOptions options_;
  std::unique_ptr<Schema> schema_;
  std::vector<PendingError> errors_;
  std::unordered_map<const Node*, uint32_t> doc_of_;
  const SchemaDefinition* schema_def_ = nullptr;
  std::vector<const SchemaDefinition*> schema_exts_;
  std::vector<Entry> type_entries_;
  NameMap<std::size_t> type_entry_index_;
  std::vector<const TypeDefinition*> type_exts_;
  std::vector<Entry> directive_entries_;
  NameMap<std::size_t> directive_entry_index_;
  const ObjectTypeDefinition* meta_def_ = nullptr;
  std::vector<TypeDef*> types_;
  std::unordered_map<std::pair<const TypeDef*, const TypeDef*>, std::vector<const NamedType*>, PairHash>
      implements_nodes_;
  std::unordered_map<const TypeDef*, std::vector<const NamedType*>> union_members_;
};

SchemaBuildResult build_schema(std::span<const SchemaSource> sources, const SchemaBuildOptions& options) {
  return SchemaBuilderAccess(options).build(sources);
}

SchemaBuildResult build_schema(std::string sdl, std::string name, const SchemaBuildOptions& options) {
  SchemaSource src{std::move(name), std::move(sdl)};
  return build_schema(std::span<const SchemaSource>(&src, 1), options);
}

}  // namespace fraiseql::graphql
