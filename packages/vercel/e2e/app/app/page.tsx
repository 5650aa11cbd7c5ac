export default function Home() {
  return <p>@lumiqtrace/vercel e2e test app</p>;
}
