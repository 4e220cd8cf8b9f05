// react-dom ships no types and @types/react-dom is not installed: the one
// function the IDE's browser entry uses. (Installed types take precedence.)
declare module "react-dom/client" {
  import type { ReactNode } from "react";

  export interface Root {
    render(children: ReactNode): void;
    unmount(): void;
  }
  export function createRoot(container: Element): Root;
}
