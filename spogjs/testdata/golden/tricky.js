/* web_server_name comes first in this copy; a regex and strings mention it */
var web_server_name = "old.example.com"; var web_server_protocol = "http";
var re = /var web_server_name = "[^"]*"/g;
var tmpl = `
var web_server_protocol = "ftp";
`;
var ratio = 10 / 2; var s = 'a/b'; // var web_server_protocol = "gopher";
