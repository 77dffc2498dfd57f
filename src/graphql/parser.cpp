#include "fraiseql/graphql/parser.hpp"

#include <new>
#include <type_traits>
#include <vector>

#include "fraiseql/graphql/lexer.hpp"

namespace fraiseql::graphql {
namespace {

// Nodes live in a monotonic arena and are never destroyed.
static_assert(std::is_trivially_destructible_v<Field>);
static_assert(std::is_trivially_destructible_v<ObjectTypeDefinition>);
static_assert(std::is_trivially_destructible_v<DirectiveDefinition>);

/// Unwinds the recursive descent on the first error; caught in parse_document().
struct SyntaxError {
  ParseError error;
};

class Parser {
 public:
  Parser(Document& doc, const ParseOptions& options)
      : doc_(doc), arena_(doc.arena()), lexer_(doc.source(), arena_), options_(options) {
    scratch_.reserve(64);
  }

  void parse() {
    advance();
    std::size_t mark = scratch_.size();
    do {
      scratch_.push_back(parse_definition());
    } while (tok_.kind != TokenKind::kEndOfFile);
    doc_.set_definitions(finish_list<Definition>(mark));
  }

 private:
  // ---- tokens -------------------------------------------------------------------------

  void lex(Token& into) {
    LexError err;
    if (!lexer_.next(into, err)) throw SyntaxError{{"Syntax Error: " + err.message, err.loc}};
    if (into.kind != TokenKind::kEndOfFile && ++token_count_ > options_.max_tokens) {
      throw SyntaxError{{"Syntax Error: Document contains more than " + std::to_string(options_.max_tokens) +
                             " tokens. Parsing aborted.",
                         into.loc}};
    }
  }

  void advance() {
    if (has_lookahead_) {
      tok_ = lookahead_;
      has_lookahead_ = false;
      return;
    }
    lex(tok_);
  }

  const Token& peek_next() {
    if (!has_lookahead_) {
      lex(lookahead_);
      has_lookahead_ = true;
    }
    return lookahead_;
  }

  [[nodiscard]] bool peek(TokenKind kind) const noexcept { return tok_.kind == kind; }
  [[nodiscard]] bool peek_keyword(std::string_view word) const noexcept {
    return tok_.kind == TokenKind::kName && tok_.value == word;
  }

  static std::string describe_token(const Token& t) {
    std::string s(describe(t.kind));
    switch (t.kind) {
      case TokenKind::kName:
      case TokenKind::kInt:
      case TokenKind::kFloat:
      case TokenKind::kString:
      case TokenKind::kBlockString: s.append(" \"").append(t.value).append("\""); break;
      default: break;
    }
    return s;
  }

  [[noreturn]] static void error_at(Location loc, std::string message) {
    throw SyntaxError{{"Syntax Error: " + std::move(message), loc}};
  }
  [[noreturn]] static void unexpected(const Token& t) {
    error_at(t.loc, "Unexpected " + describe_token(t) + ".");
  }

  void expect(TokenKind kind) {
    if (tok_.kind != kind) {
      error_at(tok_.loc, "Expected " + std::string(describe(kind)) + ", found " + describe_token(tok_) + ".");
    }
    advance();
  }
  bool accept(TokenKind kind) {
    if (tok_.kind != kind) return false;
    advance();
    return true;
  }
  void expect_keyword(std::string_view word) {
    if (!peek_keyword(word)) {
      error_at(tok_.loc, "Expected \"" + std::string(word) + "\", found " + describe_token(tok_) + ".");
    }
    advance();
  }
  bool accept_keyword(std::string_view word) {
    if (!peek_keyword(word)) return false;
    advance();
    return true;
  }

  // ---- arena --------------------------------------------------------------------------

  template <typename T>
  T* make(Location loc) {
    T* node = new (arena_->allocate(sizeof(T), alignof(T))) T();
    node->loc = loc;
    return node;
  }

  /// Moves scratch_[mark..] into an arena list of T.
  template <typename T>
  NodeList<T> finish_list(std::size_t mark) {
    const std::size_t n = scratch_.size() - mark;
    if (n == 0) return {};
    auto** items = static_cast<const T**>(arena_->allocate(n * sizeof(const T*), alignof(const T*)));
    for (std::size_t i = 0; i < n; ++i) items[i] = static_cast<const T*>(scratch_[mark + i]);
    scratch_.resize(mark);
    return {items, n};
  }

  /// Guards one level of recursion.
  struct DepthGuard {
    explicit DepthGuard(Parser& p) : parser(p) {
      if (++parser.depth_ > parser.options_.max_depth) {
        error_at(parser.tok_.loc, "Document exceeds the maximum nesting depth of " +
                                      std::to_string(parser.options_.max_depth) + ". Parsing aborted.");
      }
    }
    ~DepthGuard() { --parser.depth_; }
    DepthGuard(const DepthGuard&) = delete;
    DepthGuard& operator=(const DepthGuard&) = delete;
    Parser& parser;
  };

  // ---- names, descriptions ------------------------------------------------------------

  Name parse_name() {
    if (tok_.kind != TokenKind::kName) {
      error_at(tok_.loc, "Expected Name, found " + describe_token(tok_) + ".");
    }
    Name name{tok_.value, tok_.loc};
    advance();
    return name;
  }

  [[nodiscard]] bool peek_description() const noexcept {
    return tok_.kind == TokenKind::kString || tok_.kind == TokenKind::kBlockString;
  }

  const StringValue* parse_string_literal() {
    auto* node = make<StringValue>(tok_.loc);
    node->value = tok_.value;
    node->block = tok_.kind == TokenKind::kBlockString;
    advance();
    return node;
  }

  const StringValue* parse_description() { return peek_description() ? parse_string_literal() : nullptr; }

  // ---- definitions --------------------------------------------------------------------

  const Definition* parse_definition() {
    if (peek(TokenKind::kBraceL)) return parse_operation_definition();
    const bool has_description = peek_description();
    const Token& keyword = has_description ? peek_next() : tok_;
    if (has_description && keyword.kind == TokenKind::kBraceL) {
      error_at(tok_.loc, "Unexpected description, descriptions are not supported on shorthand queries.");
    }
    if (keyword.kind == TokenKind::kName) {
      const std::string_view w = keyword.value;
      if (w == "schema") return parse_schema_definition();
      if (w == "scalar") return parse_scalar_type_definition();
      if (w == "type") return parse_object_type_definition();
      if (w == "interface") return parse_interface_type_definition();
      if (w == "union") return parse_union_type_definition();
      if (w == "enum") return parse_enum_type_definition();
      if (w == "input") return parse_input_object_type_definition();
      if (w == "directive") return parse_directive_definition();
      if (w == "query" || w == "mutation" || w == "subscription") return parse_operation_definition();
      if (w == "fragment") return parse_fragment_definition();
      if (w == "extend") {
        if (has_description) {
          error_at(tok_.loc, "Unexpected description, descriptions are not supported on type extensions.");
        }
        return parse_type_system_extension();
      }
    }
    unexpected(keyword);
  }

  OperationType parse_operation_type() {
    const Token t = tok_;
    Name name = parse_name();
    if (name.value == "query") return OperationType::kQuery;
    if (name.value == "mutation") return OperationType::kMutation;
    if (name.value == "subscription") return OperationType::kSubscription;
    unexpected(t);
  }

  const OperationDefinition* parse_operation_definition() {
    auto* op = make<OperationDefinition>(tok_.loc);
    if (peek(TokenKind::kBraceL)) {
      op->selection_set = parse_selection_set();
      return op;
    }
    op->description = parse_description();
    op->operation = parse_operation_type();
    if (peek(TokenKind::kName)) op->name = parse_name();
    op->variable_definitions = parse_variable_definitions();
    op->directives = parse_directives(false);
    op->selection_set = parse_selection_set();
    return op;
  }

  NodeList<VariableDefinition> parse_variable_definitions() {
    if (!accept(TokenKind::kParenL)) return {};
    std::size_t mark = scratch_.size();
    do {
      scratch_.push_back(parse_variable_definition());
    } while (!accept(TokenKind::kParenR));
    return finish_list<VariableDefinition>(mark);
  }

  const VariableDefinition* parse_variable_definition() {
    auto* def = make<VariableDefinition>(tok_.loc);
    def->description = parse_description();
    def->variable = parse_variable();
    expect(TokenKind::kColon);
    def->type = parse_type_reference();
    if (accept(TokenKind::kEquals)) def->default_value = parse_value(true);
    def->directives = parse_directives(true);
    return def;
  }

  const Variable* parse_variable() {
    auto* var = make<Variable>(tok_.loc);
    expect(TokenKind::kDollar);
    var->name = parse_name();
    return var;
  }

  const SelectionSet* parse_selection_set() {
    auto* set = make<SelectionSet>(tok_.loc);
    DepthGuard guard(*this);
    expect(TokenKind::kBraceL);
    std::size_t mark = scratch_.size();
    do {
      scratch_.push_back(parse_selection());
    } while (!accept(TokenKind::kBraceR));
    set->selections = finish_list<Selection>(mark);
    return set;
  }

  const Selection* parse_selection() {
    if (peek(TokenKind::kSpread)) return parse_fragment();
    return parse_field();
  }

  const Field* parse_field() {
    auto* field = make<Field>(tok_.loc);
    Name first = parse_name();
    if (accept(TokenKind::kColon)) {
      field->alias = first;
      field->name = parse_name();
    } else {
      field->name = first;
    }
    field->arguments = parse_arguments(false);
    field->directives = parse_directives(false);
    if (peek(TokenKind::kBraceL)) field->selection_set = parse_selection_set();
    return field;
  }

  NodeList<Argument> parse_arguments(bool is_const) {
    if (!accept(TokenKind::kParenL)) return {};
    std::size_t mark = scratch_.size();
    do {
      auto* arg = make<Argument>(tok_.loc);
      arg->name = parse_name();
      expect(TokenKind::kColon);
      arg->value = parse_value(is_const);
      scratch_.push_back(arg);
    } while (!accept(TokenKind::kParenR));
    return finish_list<Argument>(mark);
  }

  const Selection* parse_fragment() {
    const Location start = tok_.loc;
    expect(TokenKind::kSpread);
    const bool has_type_condition = accept_keyword("on");
    if (!has_type_condition && peek(TokenKind::kName)) {
      auto* spread = make<FragmentSpread>(start);
      spread->name = parse_fragment_name();
      spread->directives = parse_directives(false);
      return spread;
    }
    auto* inline_fragment = make<InlineFragment>(start);
    if (has_type_condition) inline_fragment->type_condition = parse_named_type();
    inline_fragment->directives = parse_directives(false);
    inline_fragment->selection_set = parse_selection_set();
    return inline_fragment;
  }

  Name parse_fragment_name() {
    if (peek_keyword("on")) unexpected(tok_);
    return parse_name();
  }

  const FragmentDefinition* parse_fragment_definition() {
    auto* def = make<FragmentDefinition>(tok_.loc);
    def->description = parse_description();
    expect_keyword("fragment");
    def->name = parse_fragment_name();
    expect_keyword("on");
    def->type_condition = parse_named_type();
    def->directives = parse_directives(false);
    def->selection_set = parse_selection_set();
    return def;
  }

  // ---- values -------------------------------------------------------------------------

  const Value* parse_value(bool is_const) {
    const Token t = tok_;
    switch (t.kind) {
      case TokenKind::kBracketL: {
        auto* list = make<ListValue>(t.loc);
        DepthGuard guard(*this);
        advance();
        std::size_t mark = scratch_.size();
        while (!accept(TokenKind::kBracketR)) scratch_.push_back(parse_value(is_const));
        list->values = finish_list<Value>(mark);
        return list;
      }
      case TokenKind::kBraceL: {
        auto* obj = make<ObjectValue>(t.loc);
        DepthGuard guard(*this);
        advance();
        std::size_t mark = scratch_.size();
        while (!accept(TokenKind::kBraceR)) {
          auto* field = make<ObjectField>(tok_.loc);
          field->name = parse_name();
          expect(TokenKind::kColon);
          field->value = parse_value(is_const);
          scratch_.push_back(field);
        }
        obj->fields = finish_list<ObjectField>(mark);
        return obj;
      }
      case TokenKind::kInt: {
        auto* v = make<IntValue>(t.loc);
        v->raw = t.raw;
        advance();
        return v;
      }
      case TokenKind::kFloat: {
        auto* v = make<FloatValue>(t.loc);
        v->raw = t.raw;
        advance();
        return v;
      }
      case TokenKind::kString:
      case TokenKind::kBlockString: return parse_string_literal();
      case TokenKind::kName: {
        advance();
        if (t.value == "true" || t.value == "false") {
          auto* v = make<BooleanValue>(t.loc);
          v->value = t.value == "true";
          return v;
        }
        if (t.value == "null") return make<NullValue>(t.loc);
        auto* v = make<EnumValue>(t.loc);
        v->value = t.value;
        return v;
      }
      case TokenKind::kDollar:
        if (is_const) {
          advance();
          if (peek(TokenKind::kName)) {
            error_at(t.loc, "Unexpected variable \"$" + std::string(tok_.value) + "\" in constant value.");
          }
          unexpected(t);
        }
        return parse_variable();
      default: unexpected(t);
    }
  }

  NodeList<Directive> parse_directives(bool is_const) {
    if (!peek(TokenKind::kAt)) return {};
    std::size_t mark = scratch_.size();
    while (peek(TokenKind::kAt)) {
      auto* dir = make<Directive>(tok_.loc);
      advance();
      dir->name = parse_name();
      dir->arguments = parse_arguments(is_const);
      scratch_.push_back(dir);
    }
    return finish_list<Directive>(mark);
  }

  // ---- types --------------------------------------------------------------------------

  const Type* parse_type_reference() {
    const Location start = tok_.loc;
    const Type* type = nullptr;
    if (peek(TokenKind::kBracketL)) {
      DepthGuard guard(*this);
      advance();
      auto* list = make<ListType>(start);
      list->type = parse_type_reference();
      expect(TokenKind::kBracketR);
      type = list;
    } else {
      type = parse_named_type();
    }
    if (accept(TokenKind::kBang)) {
      auto* non_null = make<NonNullType>(start);
      non_null->type = type;
      return non_null;
    }
    return type;
  }

  const NamedType* parse_named_type() {
    auto* named = make<NamedType>(tok_.loc);
    named->name = parse_name();
    return named;
  }

  // ---- type system --------------------------------------------------------------------

  const SchemaDefinition* parse_schema_definition() {
    auto* def = make<SchemaDefinition>(tok_.loc);
    def->description = parse_description();
    expect_keyword("schema");
    def->directives = parse_directives(true);
    if (!peek(TokenKind::kBraceL)) {
      error_at(tok_.loc, "Expected \"{\", found " + describe_token(tok_) + ".");
    }
    def->operation_types = parse_operation_types();
    return def;
  }

  NodeList<OperationTypeDefinition> parse_operation_types() {
    if (!accept(TokenKind::kBraceL)) return {};
    std::size_t mark = scratch_.size();
    do {
      auto* ot = make<OperationTypeDefinition>(tok_.loc);
      ot->operation = parse_operation_type();
      expect(TokenKind::kColon);
      ot->type = parse_named_type();
      scratch_.push_back(ot);
    } while (!accept(TokenKind::kBraceR));
    return finish_list<OperationTypeDefinition>(mark);
  }

  template <typename T>
  T* start_type_definition(std::string_view keyword) {
    auto* def = make<T>(tok_.loc);
    def->description = parse_description();
    expect_keyword(keyword);
    def->name = parse_name();
    return def;
  }

  const ScalarTypeDefinition* parse_scalar_type_definition() {
    auto* def = start_type_definition<ScalarTypeDefinition>("scalar");
    def->directives = parse_directives(true);
    return def;
  }

  template <typename T>
  void parse_object_like_body(T* def) {
    def->interfaces = parse_implements_interfaces();
    def->directives = parse_directives(true);
    def->fields = parse_fields_definition();
  }

  const ObjectTypeDefinition* parse_object_type_definition() {
    auto* def = start_type_definition<ObjectTypeDefinition>("type");
    parse_object_like_body(def);
    return def;
  }

  const InterfaceTypeDefinition* parse_interface_type_definition() {
    auto* def = start_type_definition<InterfaceTypeDefinition>("interface");
    parse_object_like_body(def);
    return def;
  }

  NodeList<NamedType> parse_implements_interfaces() {
    if (!accept_keyword("implements")) return {};
    return parse_delimited_named_types(TokenKind::kAmp);
  }

  NodeList<NamedType> parse_delimited_named_types(TokenKind delimiter) {
    accept(delimiter);
    std::size_t mark = scratch_.size();
    do {
      scratch_.push_back(parse_named_type());
    } while (accept(delimiter));
    return finish_list<NamedType>(mark);
  }

  NodeList<FieldDefinition> parse_fields_definition() {
    if (!accept(TokenKind::kBraceL)) return {};
    std::size_t mark = scratch_.size();
    do {
      auto* field = make<FieldDefinition>(tok_.loc);
      field->description = parse_description();
      field->name = parse_name();
      field->arguments = parse_argument_definitions();
      expect(TokenKind::kColon);
      field->type = parse_type_reference();
      field->directives = parse_directives(true);
      scratch_.push_back(field);
    } while (!accept(TokenKind::kBraceR));
    return finish_list<FieldDefinition>(mark);
  }

  NodeList<InputValueDefinition> parse_argument_definitions() {
    return parse_input_values(TokenKind::kParenL, TokenKind::kParenR);
  }

  NodeList<InputValueDefinition> parse_input_values(TokenKind open, TokenKind close) {
    if (!accept(open)) return {};
    std::size_t mark = scratch_.size();
    do {
      auto* iv = make<InputValueDefinition>(tok_.loc);
      iv->description = parse_description();
      iv->name = parse_name();
      expect(TokenKind::kColon);
      iv->type = parse_type_reference();
      if (accept(TokenKind::kEquals)) iv->default_value = parse_value(true);
      iv->directives = parse_directives(true);
      scratch_.push_back(iv);
    } while (!accept(close));
    return finish_list<InputValueDefinition>(mark);
  }

  template <typename T>
  void parse_union_body(T* def) {
    def->directives = parse_directives(true);
    def->types =
        accept(TokenKind::kEquals) ? parse_delimited_named_types(TokenKind::kPipe) : NodeList<NamedType>{};
  }

  const UnionTypeDefinition* parse_union_type_definition() {
    auto* def = start_type_definition<UnionTypeDefinition>("union");
    parse_union_body(def);
    return def;
  }

  NodeList<EnumValueDefinition> parse_enum_values() {
    if (!accept(TokenKind::kBraceL)) return {};
    std::size_t mark = scratch_.size();
    do {
      auto* ev = make<EnumValueDefinition>(tok_.loc);
      ev->description = parse_description();
      if (peek_keyword("true") || peek_keyword("false") || peek_keyword("null")) {
        error_at(tok_.loc, describe_token(tok_) + " is reserved and cannot be used for an enum value.");
      }
      ev->name = parse_name();
      ev->directives = parse_directives(true);
      scratch_.push_back(ev);
    } while (!accept(TokenKind::kBraceR));
    return finish_list<EnumValueDefinition>(mark);
  }

  const EnumTypeDefinition* parse_enum_type_definition() {
    auto* def = start_type_definition<EnumTypeDefinition>("enum");
    def->directives = parse_directives(true);
    def->values = parse_enum_values();
    return def;
  }

  const InputObjectTypeDefinition* parse_input_object_type_definition() {
    auto* def = start_type_definition<InputObjectTypeDefinition>("input");
    def->directives = parse_directives(true);
    def->fields = parse_input_values(TokenKind::kBraceL, TokenKind::kBraceR);
    return def;
  }

  const DirectiveDefinition* parse_directive_definition() {
    auto* def = make<DirectiveDefinition>(tok_.loc);
    def->description = parse_description();
    expect_keyword("directive");
    expect(TokenKind::kAt);
    def->name = parse_name();
    def->arguments = parse_argument_definitions();
    def->repeatable = accept_keyword("repeatable");
    expect_keyword("on");
    accept(TokenKind::kPipe);
    std::vector<DirectiveLocationName> locations;
    do {
      const Token t = tok_;
      DirectiveLocationName loc;
      loc.name = parse_name();
      if (!parse_directive_location(loc.name.value, loc.value)) unexpected(t);
      locations.push_back(loc);
    } while (accept(TokenKind::kPipe));
    auto* items = static_cast<DirectiveLocationName*>(
        arena_->allocate(locations.size() * sizeof(DirectiveLocationName), alignof(DirectiveLocationName)));
    for (std::size_t i = 0; i < locations.size(); ++i) new (items + i) DirectiveLocationName(locations[i]);
    def->locations = {items, locations.size()};
    return def;
  }

  // ---- extensions ---------------------------------------------------------------------

  const Definition* parse_type_system_extension() {
    const Token& keyword = peek_next();
    if (keyword.kind == TokenKind::kName) {
      const std::string_view w = keyword.value;
      if (w == "schema") return parse_schema_extension();
      if (w == "scalar") return parse_scalar_type_extension();
      if (w == "type") return parse_object_like_extension<ObjectTypeExtension>();
      if (w == "interface") return parse_object_like_extension<InterfaceTypeExtension>();
      if (w == "union") return parse_union_type_extension();
      if (w == "enum") return parse_enum_type_extension();
      if (w == "input") return parse_input_object_type_extension();
    }
    unexpected(keyword);
  }

  template <typename T>
  T* start_extension() {
    auto* ext = make<T>(tok_.loc);
    expect_keyword("extend");
    advance();  // the keyword checked by parse_type_system_extension()
    return ext;
  }

  const SchemaExtension* parse_schema_extension() {
    auto* ext = start_extension<SchemaExtension>();
    ext->directives = parse_directives(true);
    ext->operation_types = parse_operation_types();
    if (ext->directives.empty() && ext->operation_types.empty()) unexpected(tok_);
    return ext;
  }

  const ScalarTypeExtension* parse_scalar_type_extension() {
    auto* ext = start_extension<ScalarTypeExtension>();
    ext->name = parse_name();
    ext->directives = parse_directives(true);
    if (ext->directives.empty()) unexpected(tok_);
    return ext;
  }

  template <typename T>
  const T* parse_object_like_extension() {
    auto* ext = start_extension<T>();
    ext->name = parse_name();
    parse_object_like_body(ext);
    if (ext->interfaces.empty() && ext->directives.empty() && ext->fields.empty()) unexpected(tok_);
    return ext;
  }

  const UnionTypeExtension* parse_union_type_extension() {
    auto* ext = start_extension<UnionTypeExtension>();
    ext->name = parse_name();
    parse_union_body(ext);
    if (ext->directives.empty() && ext->types.empty()) unexpected(tok_);
    return ext;
  }

  const EnumTypeExtension* parse_enum_type_extension() {
    auto* ext = start_extension<EnumTypeExtension>();
    ext->name = parse_name();
    ext->directives = parse_directives(true);
    ext->values = parse_enum_values();
    if (ext->directives.empty() && ext->values.empty()) unexpected(tok_);
    return ext;
  }

  const InputObjectTypeExtension* parse_input_object_type_extension() {
    auto* ext = start_extension<InputObjectTypeExtension>();
    ext->name = parse_name();
    ext->directives = parse_directives(true);
    ext->fields = parse_input_values(TokenKind::kBraceL, TokenKind::kBraceR);
    if (ext->directives.empty() && ext->fields.empty()) unexpected(tok_);
    return ext;
  }

  Document& doc_;
  std::pmr::memory_resource* arena_;
  Lexer lexer_;
  const ParseOptions& options_;
  Token tok_;
  Token lookahead_;
  bool has_lookahead_ = false;
  uint32_t token_count_ = 0;
  uint32_t depth_ = 0;
  // Children of the lists being built, innermost last (lists nest like a stack).
  std::vector<const Node*> scratch_;
};

}  // namespace

Result<Document> ParseResult::to_result() && {
  if (ok()) return std::get<0>(std::move(v_));
  return make_error(ErrorCode::kInvalidArgument, format_parse_error(std::get<1>(v_)));
}

std::string format_parse_error(const ParseError& error) {
  return error.message + " (" + std::to_string(error.loc.line) + ":" + std::to_string(error.loc.column) + ")";
}

ParseResult parse_document(std::string source, const ParseOptions& options) {
  if (source.size() > options.max_document_bytes) {
    return ParseError{"Syntax Error: Document is larger than " + std::to_string(options.max_document_bytes) +
                          " bytes. Parsing aborted.",
                      Location{1, 1, 0}};
  }
  Document doc(std::move(source));
  try {
    Parser parser(doc, options);
    parser.parse();
  } catch (SyntaxError& e) {
    return std::move(e.error);
  }
  return ParseResult(std::move(doc));
}

Result<Document> parse(std::string source, const ParseOptions& options) {
  return parse_document(std::move(source), options).to_result();
}

}  // namespace fraiseql::graphql
