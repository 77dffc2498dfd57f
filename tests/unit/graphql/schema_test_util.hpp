#pragma once
// Schemas shared by the schema, introspection and coercion tests.

#include <string_view>

namespace fraiseql::graphql {

/// The blog schema of DESIGN §3, completed with the types it mentions.
inline constexpr std::string_view kBlogSdl = R"graphql(
"A person who writes posts."
type User @view(name: "v_user") @auth(roles: ["reader", "admin"]) {
  id: ID!
  name: String!
  email: String!
  createdAt: DateTime!
  posts: [Post!]!
}

type Post @view(name: "v_post") {
  id: ID!
  title: String!
  author: User @join(column: "author_id")
}

type PageInfo {
  hasNextPage: Boolean!
  hasPreviousPage: Boolean!
  startCursor: String
  endCursor: String
}

type PostEdge {
  cursor: String!
  node: Post!
}

type PostConnection {
  edges: [PostEdge!]!
  pageInfo: PageInfo!
  totalCount: Int!
}

type Query {
  users: [User!]! @cached(ttl: 30)
  user(id: ID!): User
  posts: PostConnection! @connection
}

input CreatePostInput {
  title: String!
  authorId: ID!
  tags: [String!] = []
}

type CreatePostSuccess @success {
  post: Post
  message: String
}

type CreatePostError @error {
  code: String!
  message: String!
  errors: JSON
}

union CreatePostResult = CreatePostSuccess | CreatePostError

type Mutation {
  createPost(input: CreatePostInput!): CreatePostResult!
    @function(name: "fn_create_post", invalidates: ["Post", "User"])
}

type Subscription {
  postCreated: Post @notify(channel: "post_created")
}
)graphql";

}  // namespace fraiseql::graphql
