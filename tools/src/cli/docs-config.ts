// `npm run docs:config`: prints the README's configuration table, rendered from
// the services' setting definitions (test/config/readme-table.test.ts checks the copy in README.md).
import { renderConfigTable } from "@emshop/common/config/docs";
import { configuredServices } from "../configured-services";

console.log(renderConfigTable(configuredServices));
