import { promiseHeavy } from "./handler.mjs";

export const activeContext = () => undefined;
export const handler = async () => promiseHeavy(activeContext);
