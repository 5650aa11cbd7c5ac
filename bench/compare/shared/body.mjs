export function answer(completion) {
  return { reply: completion.choices[0].message.content };
}
